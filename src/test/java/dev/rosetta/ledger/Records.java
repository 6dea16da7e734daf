package dev.rosetta.ledger;

import dev.rosetta.model.Usage;

/** Ledger records for tests. */
final class Records {

    private Records() {
    }

    static LedgerRecord of(String id, long at, String tenant, String model, int status, Usage usage, long costNanos) {
        return new LedgerRecord(at, id, tenant, tenant.isEmpty() ? "" : "key_" + tenant, "openai_chat",
                "chat_completions", model, "openai", model, false, status, LedgerRecord.errorClass(status), usage,
                new Cost(costNanos, !model.startsWith("unpriced")), 1234, 567, false, false);
    }
}
