package dev.cohort.cluster;

/**
 * Frames and bytes this node exchanged with one other node since it started, as its transport
 * counted them (sealed frames, before decryption on the way in). Counters only grow; they are
 * per node name, so a restarted peer's traffic adds to its earlier lives'.
 */
public record TrafficCount(long framesIn, long framesOut, long bytesIn, long bytesOut) {}
