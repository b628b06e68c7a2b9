/**
 * The wire types each module contributes to the serializer ({@link dev.cohort.wire.WireTypes}),
 * so that every value Cohort itself produces can cross between nodes under a stable id.
 */
package dev.cohort.wire;
