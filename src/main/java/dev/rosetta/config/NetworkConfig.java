package dev.rosetta.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The gateway's doors: who may call it from a browser ({@code cors}), how its listener speaks
 * ({@code tls}), and how its own calls go out ({@code proxy} and the proxy environment variables).
 *
 * @param cors absent: no cross-origin answers at all (the default)
 * @param tls absent: cleartext HTTP/1.1
 */
public record NetworkConfig(Optional<CorsConfig> cors, Optional<TlsConfig> tls, EgressConfig egress) {

    public static final NetworkConfig NONE = new NetworkConfig(Optional.empty(), Optional.empty(), EgressConfig.DIRECT);

    public NetworkConfig {
        Objects.requireNonNull(cors, "cors");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(egress, "egress");
    }
}
