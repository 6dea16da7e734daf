package dev.rosetta.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class ClientCredentialsTest {

    private static MultiMap headers(String... kv) {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < kv.length; i += 2) {
            m.add(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void readsEachPlaceAnSdkPutsItsKey() {
        MultiMap none = headers();
        assertThat(ClientCredentials.extract(headers("Authorization", "Bearer k1"), none)).hasValue("k1");
        assertThat(ClientCredentials.extract(headers("authorization", "bearer k1 "), none)).hasValue("k1");
        assertThat(ClientCredentials.extract(headers("X-Api-Key", "k2"), none)).hasValue("k2");
        assertThat(ClientCredentials.extract(headers("x-goog-api-key", "k3"), none)).hasValue("k3");
        assertThat(ClientCredentials.extract(none, headers("key", "k4"))).hasValue("k4");
    }

    @Test
    void noKeyOrAnEmptyOneIsAbsent() {
        MultiMap none = headers();
        assertThat(ClientCredentials.extract(none, none)).isEmpty();
        assertThat(ClientCredentials.extract(headers("authorization", "Bearer "), none)).isEmpty();
        assertThat(ClientCredentials.extract(headers("authorization", "Basic eA=="), none)).isEmpty();
        assertThat(ClientCredentials.extract(headers("x-api-key", " "), headers("key", ""))).isEmpty();
    }
}
