package dev.rosetta.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * TLS on the listener, from a PEM certificate chain and key, or from a PKCS#12 file. The files are
 * checked every {@code checkInterval} and a changed certificate is taken up without a restart.
 *
 * @param cert PEM certificate chain (with {@code key})
 * @param key PEM private key, PKCS#8 or PKCS#1 (with {@code cert})
 * @param pkcs12 a PKCS#12 key store instead of {@code cert} and {@code key}
 * @param password the PKCS#12 password
 */
public record TlsConfig(Optional<Path> cert, Optional<Path> key, Optional<Path> pkcs12, Optional<Secret> password,
                        Duration checkInterval) {

    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(10);

    public static TlsConfig pem(Path cert, Path key) {
        return new TlsConfig(Optional.of(cert), Optional.of(key), Optional.empty(), Optional.empty(), DEFAULT_CHECK_INTERVAL);
    }
}
