package dev.rosetta.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Request ids sort in the order they are made, so the ledger's index on them grows at one end. */
class RequestIdTest {

    @Test
    void idsHaveAFixedWidthAndSortInTheOrderTheyAreMade() {
        String prefix = "req_0123456789abcdef_";
        List<String> ids = new ArrayList<>();
        for (long n : new long[] {1, 9, 10, 15, 16, 255, 256, 4095, 4096, 65_535, 1L << 20, (1L << 48) - 1}) {
            ids.add(RequestRouter.requestId(prefix, n));
        }
        assertThat(ids).isSorted().allSatisfy(id -> assertThat(id).hasSize(prefix.length() + 12).startsWith(prefix));
        assertThat(ids.get(0)).isEqualTo("req_0123456789abcdef_000000000001");
        assertThat(ids.get(5)).isEqualTo("req_0123456789abcdef_0000000000ff");
    }
}
