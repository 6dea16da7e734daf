package dev.rosetta.limits;

import java.util.UUID;

/**
 * {@link LimitsOnApiPassthroughTest} with the counters in Redis (127.0.0.1:6379, or
 * {@code ROSETTA_TEST_REDIS}; a key prefix of this run): the police stage's answer comes back later, a
 * streamed upload waiting for it, paused.
 */
class LimitsOnApiPassthroughRedisTest extends LimitsOnApiPassthroughTest {

    @Override
    String counters() {
        RedisTestServer.require();
        return "redis: \"%s\"\nredis_key_prefix: \"%s\"".formatted(RedisTestServer.URL,
                RedisTestServer.PREFIX + UUID.randomUUID() + ":");
    }
}
