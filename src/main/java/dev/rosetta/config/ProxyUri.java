package dev.rosetta.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * An outbound proxy, {@code http://user:pass@host:port} (CONNECT for TLS upstreams, absolute-form
 * requests for plain HTTP ones) or {@code socks5://...}. Its {@code toString} never shows the password.
 */
public record ProxyUri(String scheme, String host, int port, Optional<String> user, Optional<Secret> password) {

    /** @throws IllegalArgumentException with a message fit for a config problem */
    public static ProxyUri parse(String text) {
        String s = text.trim();
        if (!s.contains("://")) {
            s = "http://" + s; // HTTPS_PROXY=proxy:3128 as curl takes it
        }
        URI uri;
        try {
            uri = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("socks5")) {
            throw new IllegalArgumentException("expected an http:// or socks5:// proxy, got " + scheme + "://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host");
        }
        Optional<String> user = Optional.empty();
        Optional<Secret> password = Optional.empty();
        String info = uri.getRawUserInfo();
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            user = Optional.of(URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8));
            if (colon >= 0) {
                password = Optional.of(new Secret(URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8)));
            }
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new ProxyUri(scheme, host, uri.getPort() > 0 ? uri.getPort() : scheme.equals("http") ? 80 : 1080, user, password);
    }

    @Override
    public String toString() {
        return scheme + "://" + user.map(u -> u + (password.isPresent() ? ":***" : "") + "@").orElse("") + host + ":" + port;
    }
}
