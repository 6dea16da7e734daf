package dev.rosetta.upstream;

import dev.rosetta.config.ProviderConfig;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.upstream.auth.PlatformAuth;
import dev.rosetta.upstream.auth.PlatformAuths;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One pooled, keep-alive HTTP client per provider. Created per event loop so a request and its
 * upstream connection share a thread. TLS upstreams negotiate HTTP/2 by ALPN and fall back to
 * HTTP/1.1; certificates and host names are verified.
 */
public final class UpstreamClients {

    private final Map<String, HttpClientAgent> clients = new HashMap<>();
    private final Map<String, PlatformAuth> auths = new HashMap<>();

    public UpstreamClients(Vertx vertx, List<ProviderConfig> providers) {
        this(vertx, providers, Egress.direct());
    }

    /** @param egress the proxy each provider's calls go through, if any */
    public UpstreamClients(Vertx vertx, List<ProviderConfig> providers, Egress egress) {
        for (ProviderConfig p : providers) {
            if (p.type() == ProviderType.MOCK) {
                continue;
            }
            boolean tls = p.baseUrl().startsWith("https://");
            HttpClientOptions options = new HttpClientOptions()
                    .setKeepAlive(true)
                    .setKeepAliveTimeout(60)
                    .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, p.connectTimeout().toMillis()))
                    .setTcpNoDelay(true)
                    .setDecompressionSupported(false)
                    .setMaxHeaderSize(64 * 1024);
            if (tls) {
                options.setSsl(true).setUseAlpn(true).setVerifyHost(true)
                        .setProtocolVersion(HttpVersion.HTTP_2)
                        .setHttp2KeepAliveTimeout(60);
                p.caFile().ifPresent(f -> options.setTrustOptions(new PemTrustOptions().addCertPath(f)));
            }
            egress.forProvider(p.name(), p.baseUrl()).ifPresent(options::setProxyOptions);
            PoolOptions pool = new PoolOptions().setHttp1MaxSize(1024).setHttp2MaxSize(8).setCleanerPeriod(5000);
            clients.put(p.name(), vertx.createHttpClient(options, pool));
            PlatformAuths.of(p).ifPresent(a -> auths.put(p.name(), a));
        }
    }

    public Optional<HttpClientAgent> client(String provider) {
        return Optional.ofNullable(clients.get(provider));
    }

    /** The provider's token or signature auth, for the types that have one ({@link PlatformAuths}). */
    public Optional<PlatformAuth> auth(String provider) {
        return Optional.ofNullable(auths.get(provider));
    }

    public void close() {
        clients.values().forEach(HttpClientAgent::close);
    }
}
