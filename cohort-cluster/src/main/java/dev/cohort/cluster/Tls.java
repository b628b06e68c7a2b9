package dev.cohort.cluster;

import java.util.Objects;

/**
 * TLS between nodes: a key store holding this node's key and certificate, and a trust store
 * holding the certificates (or the CA) of the nodes it accepts. Both sides authenticate. The
 * stores are checked to be readable when built; their contents are checked when the node starts.
 */
public record Tls(java.nio.file.Path keyStore, String keyStorePassword, java.nio.file.Path trustStore, String trustStorePassword) {
    public Tls {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(keyStorePassword, "keyStorePassword");
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(trustStorePassword, "trustStorePassword");
        if (!java.nio.file.Files.isReadable(keyStore)) throw new IllegalArgumentException("cannot read the TLS key store " + keyStore);
        if (!java.nio.file.Files.isReadable(trustStore)) throw new IllegalArgumentException("cannot read the TLS trust store " + trustStore);
    }
}
