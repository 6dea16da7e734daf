package dev.rosetta.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.GatewayException;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
    private final String good = KeySecret.generate(new Random(1));
    private final String narrow = KeySecret.generate(new Random(2));
    private final String expiring = KeySecret.generate(new Random(3));
    private final String disabled = KeySecret.generate(new Random(4));
    private final String offTenant = KeySecret.generate(new Random(5));
    private final String unknown = KeySecret.generate(new Random(6));
    private final KeyRing ring = new KeyRing(KeySnapshot.of(
            List.of(tenant("team", ModelPatterns.of(List.of("gpt-*", "claude-sonnet-4")), false),
                    tenant("off", ModelPatterns.ALL, true)),
            List.of(key("k1", "team", good, ModelPatterns.ALL, Optional.empty(), false),
                    key("k2", "team", narrow, ModelPatterns.of(List.of("gpt-4o")), Optional.empty(), false),
                    key("k3", "team", expiring, ModelPatterns.ALL, Optional.of(Instant.parse("2026-06-01T01:00:00Z")), false),
                    key("k4", "team", disabled, ModelPatterns.ALL, Optional.empty(), true),
                    key("k5", "off", offTenant, ModelPatterns.ALL, Optional.empty(), false))));
    private final FailedAuthThrottle throttle = new FailedAuthThrottle(clock, 3, 1_000, 100);
    private final Admission admission = new Admission(ring, throttle, clock);

    private static Tenant tenant(String name, ModelPatterns models, boolean disabled) {
        return new Tenant(name, models, Map.of(), disabled, false);
    }

    private static ApiKey key(String id, String tenant, String secret, ModelPatterns models, Optional<Instant> expires,
                              boolean disabled) {
        return new ApiKey(id, id + "-name", tenant, KeySecret.visiblePrefix(secret), KeySecret.hash(secret), models,
                expires, disabled, Map.of(), Instant.EPOCH, false);
    }

    private static MultiMap map(String... kv) {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < kv.length; i += 2) {
            m.add(kv[i], kv[i + 1]);
        }
        return m;
    }

    private Principal admitBearer(String key, String address) {
        return admission.admit(map("authorization", "Bearer " + key), map(), address);
    }

    private GatewayError refusal(String key, String address) {
        return catchThrowableOfType(GatewayException.class, () -> admitBearer(key, address)).error();
    }

    @Test
    void aGoodKeyInAnyPlacementBecomesItsPrincipal() {
        Principal p = admitBearer(good, "10.0.0.1");
        assertThat(p.tenant()).isEqualTo("team");
        assertThat(p.keyId()).isEqualTo("k1");
        assertThat(p.keyName()).isEqualTo("k1-name");
        assertThat(admission.admit(map("x-api-key", good), map(), "10.0.0.1")).isSameAs(p);
        assertThat(admission.admit(map("x-goog-api-key", good), map(), "10.0.0.1")).isSameAs(p);
        assertThat(admission.admit(map(), map("key", good), "10.0.0.1")).isSameAs(p);
    }

    @Test
    void theKeysModelsNarrowTheTenants() {
        Principal wide = admitBearer(good, "10.0.0.1");
        Principal slim = admitBearer(narrow, "10.0.0.1");
        assertThat(wide.mayUse("gpt-4o")).isTrue();
        assertThat(wide.mayUse("gpt-5")).isTrue();
        assertThat(wide.mayUse("claude-sonnet-4")).isTrue();
        assertThat(wide.mayUse("claude-opus-4")).isFalse();
        assertThat(slim.mayUse("gpt-4o")).isTrue();
        assertThat(slim.mayUse("gpt-5")).isFalse();
        assertThat(Admission.forbidden(slim, "gpt-5").kind()).isEqualTo(ErrorKind.PERMISSION);
    }

    @Test
    void everyBadKeyIsA401ThatNeverContainsTheKey() {
        String malformed = good.substring(0, 20) + (good.charAt(20) == 'A' ? 'B' : 'A') + good.substring(21);
        List<String> bads = List.of(malformed, unknown, disabled, offTenant, "sk-some-openai-key");
        for (int i = 0; i < bads.size(); i++) {
            String bad = bads.get(i);
            GatewayError e = refusal(bad, "10.0.0." + i);
            assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHENTICATED);
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.code()).contains("invalid_api_key");
            assertThat(e.message()).doesNotContain(bad);
        }
        assertThat(refusal(disabled, "10.1.0.1").message()).contains("k4").contains("disabled");
        assertThat(refusal(offTenant, "10.1.0.2").message()).contains("disabled tenant");
        GatewayError none = catchThrowableOfType(GatewayException.class,
                () -> admission.admit(map(), map(), "10.1.0.3")).error();
        assertThat(none.kind()).isEqualTo(ErrorKind.UNAUTHENTICATED);
        assertThat(none.message()).startsWith("missing API key");
    }

    @Test
    void aKeyStopsAtItsExpiryOnTheInjectedClock() {
        assertThat(admitBearer(expiring, "10.0.0.1").keyId()).isEqualTo("k3");
        clock.advance(Duration.ofMinutes(59));
        assertThat(admitBearer(expiring, "10.0.0.1").keyId()).isEqualTo("k3");
        clock.advance(Duration.ofMinutes(1));
        assertThat(refusal(expiring, "10.0.0.1").message()).contains("expired at 2026-06-01T01:00:00Z");
    }

    @Test
    void afterTheBurstOfFailuresAnAddressIsRefusedWithoutALookupUntilTimeRefillsIt() {
        for (int i = 0; i < 3; i++) {
            assertThat(refusal(unknown, "192.0.2.7").kind()).isEqualTo(ErrorKind.UNAUTHENTICATED);
        }
        GatewayError throttled = refusal(good, "192.0.2.7");
        assertThat(throttled.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(throttled.retryAfterSeconds()).contains(1L);
        // other addresses are not affected
        assertThat(admitBearer(good, "192.0.2.8").keyId()).isEqualTo("k1");

        clock.advance(Duration.ofMillis(999));
        assertThat(refusal(good, "192.0.2.7").kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        clock.advance(Duration.ofMillis(1));
        assertThat(admitBearer(good, "192.0.2.7").keyId()).isEqualTo("k1");
        // one failure refilled: one more guess, then refused again
        assertThat(refusal(unknown, "192.0.2.7").kind()).isEqualTo(ErrorKind.UNAUTHENTICATED);
        assertThat(refusal(unknown, "192.0.2.7").kind()).isEqualTo(ErrorKind.RATE_LIMITED);
    }

    @Test
    void ipv6ClientsAreThrottledByTheir64() {
        for (int i = 0; i < 3; i++) {
            refusal(unknown, "2001:db8:1:2::" + (i + 1));
        }
        assertThat(refusal(good, "2001:db8:1:2:ffff::9").kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(admitBearer(good, "2001:db8:1:3::1").keyId()).isEqualTo("k1");
    }

    @Test
    void theThrottleTableIsBoundedAndForgetsRefilledAddresses() {
        for (int i = 0; i < 250; i++) {
            throttle.failed("10.9." + (i / 250) + "." + (i % 250));
        }
        assertThat(throttle.tracked()).isEqualTo(100);
        clock.advance(Duration.ofSeconds(4));
        throttle.failed("10.10.0.1");
        assertThat(throttle.tracked()).isEqualTo(1);
    }

    @Test
    void withoutASnapshotTheAnswerIs503NotA401() {
        Admission cold = new Admission(new KeyRing(), throttle, clock);
        GatewayError e = catchThrowableOfType(GatewayException.class,
                () -> cold.admit(map("authorization", "Bearer " + good), map(), "10.0.0.1")).error();
        assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    }

    @Test
    void aNewSnapshotIsSeenByTheNextRequest() {
        assertThat(admitBearer(good, "10.0.0.1").keyId()).isEqualTo("k1");
        ring.swap(KeySnapshot.of(List.of(new Tenant("team", ModelPatterns.ALL, Map.of(), false, false)), List.of()));
        assertThat(refusal(good, "10.0.0.1").kind()).isEqualTo(ErrorKind.UNAUTHENTICATED);
    }
}
