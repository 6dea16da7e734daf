package dev.rosetta.upstream;

import dev.rosetta.config.EgressConfig;
import dev.rosetta.config.ProxyUri;
import dev.rosetta.config.Secret;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which proxy, if any, the gateway's own calls go through: a provider's own {@code proxy} first, else
 * the proxy for the destination's scheme unless {@code NO_PROXY} names the destination. Every client
 * that calls out (providers, media fetches, token endpoints) asks here. Immutable; any thread.
 *
 * <p>{@code NO_PROXY} entries, as curl reads them: {@code *} (everything); a host name, which also
 * covers its subdomains, with or without a leading {@code .} or {@code *.}; an IP address; a CIDR range
 * ({@code 10.0.0.0/8}, {@code fd00::/8}); each optionally with {@code :port}. Addresses and ranges
 * match a destination given as an address, or the address a media fetch resolved its host to; host
 * names are never resolved just to decide.
 */
public final class Egress {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final EgressConfig config;
    private final List<Rule> noProxy;

    public Egress(EgressConfig config) {
        this.config = config;
        List<Rule> rules = new ArrayList<>();
        config.noProxy().forEach(e -> rule(e).ifPresent(rules::add));
        this.noProxy = List.copyOf(rules);
    }

    public static Egress direct() {
        return new Egress(EgressConfig.DIRECT);
    }

    /** For a provider's client: its own {@code proxy} (or {@code direct}), else as {@link #forUrl}. */
    public Optional<ProxyOptions> forProvider(String provider, String baseUrl) {
        Optional<ProxyUri> own = config.providers().get(provider);
        if (own != null) {
            return own.map(Egress::options);
        }
        return forUrl(baseUrl, Optional.empty());
    }

    /** For any other call; {@code resolved} is the address the caller will connect to, when it knows it. */
    public Optional<ProxyOptions> forUrl(String url, Optional<InetAddress> resolved) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            return Optional.empty();
        }
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        Optional<ProxyUri> proxy = tls ? config.https() : config.http();
        if (proxy.isEmpty()) {
            return Optional.empty();
        }
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        if (bypasses(uri.getHost(), port, resolved)) {
            return Optional.empty();
        }
        return proxy.map(Egress::options);
    }

    /** The proxy passwords, for the redactor. */
    public List<String> secrets() {
        List<String> out = new ArrayList<>();
        config.http().flatMap(ProxyUri::password).map(Secret::value).ifPresent(out::add);
        config.https().flatMap(ProxyUri::password).map(Secret::value).ifPresent(out::add);
        config.providers().values().forEach(p -> p.flatMap(ProxyUri::password).map(Secret::value).ifPresent(out::add));
        return out;
    }

    boolean bypasses(String rawHost, int port, Optional<InetAddress> resolved) {
        String host = unbracket(rawHost).toLowerCase(Locale.ROOT);
        while (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        Optional<InetAddress> literal = literal(host);
        for (Rule r : noProxy) {
            if (r.port > 0 && r.port != port) {
                continue;
            }
            boolean hit = switch (r.kind) {
                case ALL -> true;
                case DOMAIN -> host.equals(r.domain) || host.endsWith("." + r.domain);
                case RANGE -> literal.map(r::contains).orElse(false) || resolved.map(r::contains).orElse(false);
            };
            if (hit) {
                return true;
            }
        }
        return false;
    }

    static ProxyOptions options(ProxyUri p) {
        ProxyOptions o = new ProxyOptions().setType(p.scheme().equals("socks5") ? ProxyType.SOCKS5 : ProxyType.HTTP)
                .setHost(p.host()).setPort(p.port());
        p.user().ifPresent(o::setUsername);
        p.password().ifPresent(s -> o.setPassword(s.value()));
        return o;
    }

    private enum Kind { ALL, DOMAIN, RANGE }

    private record Rule(Kind kind, String domain, byte[] network, int prefix, int port) {
        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            int bits = prefix;
            for (int i = 0; i < b.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((b[i] & mask) != (network[i] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static Optional<Rule> rule(String entry) {
        String e = entry.trim().toLowerCase(Locale.ROOT);
        if (e.equals("*")) {
            return Optional.of(new Rule(Kind.ALL, "", new byte[0], 0, 0));
        }
        int port = 0;
        String host = e;
        if (e.startsWith("[")) {
            int close = e.indexOf(']');
            if (close < 0) {
                return Optional.empty();
            }
            host = e.substring(1, close);
            if (e.length() > close + 2 && e.charAt(close + 1) == ':') {
                port = parsePort(e.substring(close + 2));
            }
        } else if (e.indexOf(':') >= 0 && e.indexOf(':') == e.lastIndexOf(':')) {
            host = e.substring(0, e.indexOf(':'));
            port = parsePort(e.substring(e.indexOf(':') + 1));
        }
        String address = host;
        int prefix = -1;
        int slash = host.indexOf('/');
        if (slash >= 0) {
            address = host.substring(0, slash);
            try {
                prefix = Integer.parseInt(host.substring(slash + 1));
            } catch (NumberFormatException x) {
                return Optional.empty();
            }
        }
        Optional<InetAddress> ip = literal(address);
        if (ip.isPresent()) {
            byte[] net = ip.get().getAddress();
            int bits = prefix < 0 ? net.length * 8 : Math.min(prefix, net.length * 8);
            return Optional.of(new Rule(Kind.RANGE, "", net, bits, port));
        }
        if (slash >= 0) {
            return Optional.empty();
        }
        String domain = host.startsWith("*.") ? host.substring(2) : host.startsWith(".") ? host.substring(1) : host;
        return domain.isEmpty() ? Optional.empty() : Optional.of(new Rule(Kind.DOMAIN, domain, new byte[0], 0, port));
    }

    private static int parsePort(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException x) {
            return 0;
        }
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The address a literal stands for; never a DNS lookup. */
    private static Optional<InetAddress> literal(String host) {
        if (!IPV4.matcher(host).matches() && host.indexOf(':') < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
