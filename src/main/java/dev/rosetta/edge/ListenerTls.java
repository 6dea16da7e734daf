package dev.rosetta.edge;

import dev.rosetta.config.TlsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on the listener: TLS 1.2 and 1.3 with forward-secret AEAD ciphers only, ALPN offering HTTP/2
 * then HTTP/1.1, and the certificate files re-read every {@code check_interval}: a changed certificate
 * is handed to the running server ({@link HttpServer#updateSSLOptions}), so new connections get it while
 * open ones keep theirs. A file caught half-written (or otherwise unusable) is reported once and the
 * current certificate stays until a good one appears.
 *
 * <p>One instance per server (per event loop); the file reads run on a worker thread.
 */
public final class ListenerTls {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerTls.class);

    /** TLS 1.3 suites (all AEAD) and the TLS 1.2 ECDHE AEAD suites: what HTTP/2 allows, and nothing weaker. */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    private final TlsConfig config;
    private Material current;

    private record Material(byte[] first, byte[] second) {
        boolean same(Material o) {
            return Arrays.equals(first, o.first) && Arrays.equals(second, o.second);
        }
    }

    /** Reads the files now (at start, so a bad file stops the start with its reason). */
    public ListenerTls(TlsConfig config) {
        this.config = config;
        try {
            this.current = read();
        } catch (IOException e) {
            throw new UncheckedIOException("tls: cannot read the certificate files: " + e.getMessage(), e);
        }
    }

    /** The server options with TLS, ALPN (h2, http/1.1) and the current certificate. */
    public HttpServerOptions apply(HttpServerOptions options) {
        options.setSsl(true).setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setKeyCertOptions(keyCert(current)).setEnabledSecureTransportProtocols(PROTOCOLS);
        CIPHERS.forEach(options::addEnabledCipherSuite);
        return options;
    }

    /** Starts checking the files for {@code server}, on its event loop. */
    public void watch(Vertx vertx, HttpServer server) {
        long interval = Math.max(1, config.checkInterval().toMillis());
        boolean[] complained = {false};
        vertx.setPeriodic(interval, interval, id -> vertx.executeBlocking(this::read, false).onComplete(ar -> {
            if (ar.failed()) {
                if (!complained[0]) {
                    complained[0] = true;
                    LOG.warn("tls: cannot read the certificate files, keeping the current certificate: {}", ar.cause().getMessage());
                }
                return;
            }
            Material next = ar.result();
            if (next.same(current)) {
                return;
            }
            server.updateSSLOptions(sslOptions(next)).onComplete(done -> {
                if (done.succeeded()) {
                    current = next;
                    complained[0] = false;
                    LOG.info("tls: certificate reloaded");
                } else if (!complained[0]) {
                    complained[0] = true;
                    LOG.warn("tls: the changed certificate files are not usable, keeping the current certificate: {}",
                            done.cause().getMessage());
                }
            });
        }));
    }

    private ServerSSLOptions sslOptions(Material m) {
        ServerSSLOptions o = new ServerSSLOptions().setKeyCertOptions(keyCert(m)).setUseAlpn(true)
                .setApplicationLayerProtocols(List.of("h2", "http/1.1")).setEnabledSecureTransportProtocols(PROTOCOLS);
        CIPHERS.forEach(o::addEnabledCipherSuite);
        return o;
    }

    private KeyCertOptions keyCert(Material m) {
        if (config.pkcs12().isPresent()) {
            PfxOptions pfx = new PfxOptions().setValue(Buffer.buffer(m.first));
            config.password().ifPresent(p -> pfx.setPassword(p.value()));
            return pfx;
        }
        return new PemKeyCertOptions().setCertValue(Buffer.buffer(m.first)).setKeyValue(Buffer.buffer(m.second));
    }

    private Material read() throws IOException {
        if (config.pkcs12().isPresent()) {
            return new Material(Files.readAllBytes(config.pkcs12().get()), new byte[0]);
        }
        return new Material(Files.readAllBytes(config.cert().orElseThrow()), Files.readAllBytes(config.key().orElseThrow()));
    }
}
