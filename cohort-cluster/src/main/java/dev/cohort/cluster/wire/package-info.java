/**
 * What crosses between nodes: the control frames and their compact codec (every length and
 * count checked against the bytes there are), and the pluggable {@link dev.cohort.cluster.wire.Serializer}
 * for user values, Fory with an allow-list by default.
 */
package dev.cohort.cluster.wire;
