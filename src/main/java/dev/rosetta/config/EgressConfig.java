package dev.rosetta.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the gateway's own calls (providers, media fetches, token endpoints) reach the network.
 *
 * @param http the proxy for {@code http://} destinations (top-level {@code proxy}, else {@code HTTP_PROXY})
 * @param https the proxy for {@code https://} destinations (top-level {@code proxy}, else {@code HTTPS_PROXY})
 * @param noProxy destinations reached directly ({@code no_proxy}, else {@code NO_PROXY}): host names
 *     (their subdomains too), {@code .example.com}, {@code *}, IP addresses and CIDR ranges, each with an
 *     optional {@code :port}
 * @param providers a provider's own {@code proxy}, which wins over the above and over {@code noProxy};
 *     empty for {@code proxy: direct}
 */
public record EgressConfig(Optional<ProxyUri> http, Optional<ProxyUri> https, List<String> noProxy,
                           Map<String, Optional<ProxyUri>> providers) {

    public static final EgressConfig DIRECT = new EgressConfig(Optional.empty(), Optional.empty(), List.of(), Map.of());

    public EgressConfig {
        noProxy = List.copyOf(noProxy);
        providers = Map.copyOf(providers);
    }
}
