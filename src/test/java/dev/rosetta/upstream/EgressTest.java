package dev.rosetta.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rosetta.config.ConfigException;
import dev.rosetta.config.ConfigLoader;
import dev.rosetta.config.EgressConfig;
import dev.rosetta.config.ProxyUri;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which calls take the proxy: {@code NO_PROXY} as curl reads it, and the proxy URL as configured. */
class EgressTest {

    private static Egress egress(String... noProxy) {
        ProxyUri p = ProxyUri.parse("http://proxy:3128");
        return new Egress(new EgressConfig(Optional.of(p), Optional.of(p), List.of(noProxy), Map.of()));
    }

    private static boolean proxied(Egress e, String url) {
        return e.forUrl(url, Optional.empty()).isPresent();
    }

    @Test
    void domainsCoverTheirSubdomainsWithOrWithoutALeadingDot() {
        for (String entry : List.of("example.com", ".example.com", "*.example.com")) {
            Egress e = egress(entry);
            assertThat(proxied(e, "https://example.com/x")).as(entry).isFalse();
            assertThat(proxied(e, "https://api.example.com/x")).as(entry).isFalse();
            assertThat(proxied(e, "https://notexample.com/x")).as(entry).isTrue();
            assertThat(proxied(e, "https://example.com.evil.net/x")).as(entry).isTrue();
        }
    }

    @Test
    void starBypassesEverything() {
        assertThat(proxied(egress("*"), "https://api.openai.com/v1")).isFalse();
    }

    @Test
    void addressesAndCidrRangesMatchAddressesOnly() {
        Egress e = egress("10.0.0.0/8", "192.168.1.7", "fd00::/8", "[::1]");
        assertThat(proxied(e, "http://10.20.30.40:8080/")).isFalse();
        assertThat(proxied(e, "http://11.0.0.1/")).isTrue();
        assertThat(proxied(e, "http://192.168.1.7/")).isFalse();
        assertThat(proxied(e, "http://192.168.1.8/")).isTrue();
        assertThat(proxied(e, "https://[fd12::1]/")).isFalse();
        assertThat(proxied(e, "https://[fe80::1]/")).isTrue();
        assertThat(proxied(e, "https://[::1]:8443/")).isFalse();
        // a host name is never resolved to decide; a media fetch passes the address it resolved
        assertThat(proxied(e, "https://internal.example/")).isTrue();
        assertThat(e.forUrl("https://internal.example/", Optional.of(InetAddress.getLoopbackAddress()))).isPresent();
        assertThat(e.bypasses("internal.example", 443, Optional.of(addr("10.1.1.1")))).isTrue();
    }

    @Test
    void aPortNarrowsAnEntry() {
        Egress e = egress("example.com:8443");
        assertThat(proxied(e, "https://example.com:8443/")).isFalse();
        assertThat(proxied(e, "https://example.com/")).isTrue();
    }

    @Test
    void theSchemePicksTheProxy() {
        ProxyUri p = ProxyUri.parse("http://proxy:3128");
        Egress onlyHttps = new Egress(new EgressConfig(Optional.empty(), Optional.of(p), List.of(), Map.of()));
        assertThat(proxied(onlyHttps, "https://a.example/")).isTrue();
        assertThat(proxied(onlyHttps, "http://a.example/")).isFalse();
    }

    @Test
    void proxyUrlsParseAndNeverShowTheirPassword() {
        ProxyUri p = ProxyUri.parse("http://us%40er:p%3Ass-SECRET@proxy.corp:8080");
        assertThat(p.user()).contains("us@er");
        assertThat(p.password().orElseThrow().value()).isEqualTo("p:ss-SECRET");
        assertThat(p.toString()).isEqualTo("http://us@er:***@proxy.corp:8080").doesNotContain("SECRET");
        assertThat(ProxyUri.parse("proxy.corp:3128").port()).isEqualTo(3128);
        assertThat(ProxyUri.parse("http://proxy.corp").port()).isEqualTo(80);
        Egress e = new Egress(new EgressConfig(Optional.of(p), Optional.of(p), List.of(), Map.of()));
        assertThat(e.secrets()).containsExactly("p:ss-SECRET", "p:ss-SECRET");
        assertThat(e.forUrl("https://x/", Optional.empty()).orElseThrow().getPassword()).isEqualTo("p:ss-SECRET");
    }

    @Test
    void configReadsTheEnvironmentUpperCaseFirstAndTheFileWins() {
        String yaml = "providers:\n  - name: mock\n    type: mock\n";
        var env = Map.of("HTTPS_PROXY", "http://upper:1", "https_proxy", "http://lower:2", "no_proxy", "a.example, 10.0.0.0/8");
        EgressConfig c = ConfigLoader.parse(yaml, env::get).network().egress();
        assertThat(c.https().orElseThrow().host()).isEqualTo("upper");
        assertThat(c.http()).isEmpty();
        assertThat(c.noProxy()).containsExactly("a.example", "10.0.0.0/8");
        EgressConfig file = ConfigLoader.parse("proxy: http://file:3\nno_proxy: [b.example]\n" + yaml, env::get).network().egress();
        assertThat(file.https().orElseThrow().host()).isEqualTo("file");
        assertThat(file.http().orElseThrow().host()).isEqualTo("file");
        assertThat(file.noProxy()).containsExactly("b.example");
    }

    @Test
    void aBadProxyIsAConfigProblemThatDoesNotShowThePassword() {
        assertThatThrownBy(() -> ConfigLoader.parse("providers:\n  - name: o\n    type: openai\n    api_key: k\n"
                + "    proxy: https://u:hunter2-SECRET@p:1\n", Map.<String, String>of()::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("providers[0].proxy: not a usable proxy URL")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ConfigLoader.parse("providers:\n  - name: mock\n    type: mock\n",
                Map.of("HTTPS_PROXY", "ftp://x:1")::get)).hasMessageContaining("HTTPS_PROXY: not a usable proxy URL");
    }

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
