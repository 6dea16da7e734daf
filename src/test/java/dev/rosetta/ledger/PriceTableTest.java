package dev.rosetta.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.model.Usage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceTableTest {

    private final PriceTable table = PriceTable.shippedOnly();

    @Test
    void shippedTableCoversEachProviderWithDateAndSource() {
        for (String m : List.of("gpt-5", "gpt-5-mini", "gpt-4.1", "gpt-4o", "o3", "o4-mini", "claude-opus-4-5",
                "claude-sonnet-4-5", "claude-haiku-4-5", "gemini-2.5-pro", "gemini-2.5-flash", "gemini-3-pro-preview")) {
            assertThat(table.find(m)).as(m).hasValueSatisfying(p -> {
                assertThat(p.asOf()).matches("\\d{4}-\\d{2}-\\d{2}");
                assertThat(p.source()).startsWith("https://");
            });
        }
        assertThat(table.find("claude-sonnet-4-5").orElseThrow().rates().cacheWrite1h()).isEqualByComparingTo("6");
        assertThat(table.find("gemini-2.5-pro").orElseThrow().longContext()).hasValueSatisfying(lc ->
                assertThat(lc.aboveInputTokens()).isEqualTo(200_000));
    }

    @Test
    void openAiPromptIncludesCachedAndOutputIncludesReasoning() {
        // prompt_tokens 1000 of which 400 cached; completion_tokens 500 of which 200 reasoning
        Usage u = Usage.fromOpenAi(1000, 400, 0, 500, 200);
        // gpt-5: 1.25 in, 0.125 cached, 10 out: 600*1.25 + 400*0.125 + 500*10 = 5800 micro-USD
        assertThat(table.cost("gpt-5", u)).isEqualTo(new Cost(5_800_000, true));
    }

    @Test
    void anthropicInputExcludesCacheReadsAndWrites() {
        // input_tokens 100, cache_read 1000, cache_creation 200, output 300 (thinking inside)
        Usage u = Usage.fromAnthropic(100, 1000, 200, 300, 100);
        // sonnet 4.5: 100*3 + 1000*0.3 + 200*3.75 + 300*15 = 5850 micro-USD
        assertThat(table.cost("claude-sonnet-4-5-20250929", u)).isEqualTo(new Cost(5_850_000, true));
    }

    @Test
    void anthropicOneHourCacheWritesAreBilledAtTheirOwnRate() {
        // 200 cache writes, 80 of them kept an hour: 100*3 + 1000*0.3 + 120*3.75 + 80*6 + 300*15 micro-USD.
        Usage u = Usage.fromAnthropic(100, 1000, 200, 300, 0, 80);
        assertThat(u.cacheWrite5m()).isEqualTo(120);
        assertThat(u.inputTotal()).as("the 1-hour writes are part of the cache writes, not beside them").isEqualTo(1300);
        assertThat(table.cost("claude-sonnet-4-5", u)).isEqualTo(new Cost(6_030_000, true));
        // at the long-context tier the 1-hour rate is that tier's: 100*6 + 300000*0.6 + 120*7.5 + 80*12 + 300*22.5
        Usage big = Usage.fromAnthropic(100, 300_000, 200, 300, 0, 80);
        assertThat(table.cost("claude-sonnet-4-5", big)).isEqualTo(new Cost(189_210_000, true));
        // a report of more 1-hour writes than writes is capped at the writes
        assertThat(Usage.fromAnthropic(0, 0, 10, 0, 0, 50).cacheWrite1h()).isEqualTo(10);
    }

    @Test
    void geminiThoughtsBesideCandidatesBilledAsOutputOnce() {
        // promptTokenCount 1000 (400 cached), candidates 300, thoughts 200
        Usage u = Usage.fromGemini(1000, 0, 400, 300, 200);
        assertThat(u.output()).isEqualTo(500);
        // 2.5 pro: 600*1.25 + 400*0.125 + 500*10 = 5800
        assertThat(table.cost("gemini-2.5-pro", u)).isEqualTo(new Cost(5_800_000, true));
    }

    @Test
    void geminiLongPromptBillsTheWholeRequestAtTheLongContextTier() {
        Usage u = Usage.fromGemini(250_000, 0, 0, 100, 0);
        // 250000*2.5 + 100*15 micro-USD
        assertThat(table.cost("models/gemini-2.5-pro", u)).isEqualTo(new Cost(626_500_000, true));
        Usage justUnder = Usage.fromGemini(200_000, 0, 0, 100, 0);
        assertThat(table.cost("gemini-2.5-pro", justUnder)).isEqualTo(new Cost(251_000_000, true));
    }

    @Test
    void sameUsageSameCostWhicheverProviderReportedIt() {
        Usage openAi = Usage.fromOpenAi(1200, 200, 0, 80, 30);
        Usage anthropic = Usage.fromAnthropic(1000, 200, 0, 80, 30);
        assertThat(openAi).isEqualTo(anthropic);
    }

    @Test
    void matchingExactThenPrefixThenDateSuffixNeverLooser() {
        assertThat(table.find("gpt-4o-2024-05-13").orElseThrow().rates().input()).isEqualByComparingTo("5");
        assertThat(table.find("gpt-4o").orElseThrow().rates().input()).isEqualByComparingTo("2.5");
        assertThat(table.find("openai/GPT-5").map(Price::model)).contains("gpt-5");
        assertThat(table.find("claude-haiku-4-5@20251001").map(Price::model)).hasValueSatisfying(m ->
                assertThat(m).startsWith("claude-haiku-4-5"));
        assertThat(table.find("gemini-2.5-pro-2030-01-01").map(Price::model)).contains("gemini-2.5-pro");
        assertThat(table.find("gpt-5x")).isEmpty();
        assertThat(table.find("llama-3-70b")).isEmpty();
        assertThat(table.cost("llama-3-70b", Usage.fromOpenAi(10, 0, 0, 10, 0))).isEqualTo(Cost.UNKNOWN);
    }

    @Test
    void configuredEntryOverridesAndAddsAndSelfHostedIsFreeButKnown() throws Exception {
        var json = new ObjectMapper().readTree("""
                {"gpt-5": {"input": 1, "output": 2}, "llama-local": {"input": 0, "output": 0}}""");
        List<String> problems = new ArrayList<>();
        PriceTable t = PriceTable.withOverrides(List.of(
                Price.parse("gpt-5", json.get("gpt-5"), "prices.gpt-5", problems::add).orElseThrow(),
                Price.parse("llama-local", json.get("llama-local"), "prices.llama-local", problems::add).orElseThrow()));
        assertThat(problems).isEmpty();
        // unset cache_read falls back to the input price
        assertThat(t.cost("gpt-5", Usage.fromOpenAi(1000, 500, 0, 1000, 0))).isEqualTo(new Cost(3_000_000, true));
        assertThat(t.cost("llama-local", Usage.fromOpenAi(1000, 0, 0, 1000, 0))).isEqualTo(Cost.FREE);
    }

    @Test
    void neverNegativeAndRoundedToTheNanoDollar() {
        assertThat(table.cost("gpt-5", new Usage(-5, -1, 0, -3, 0))).isEqualTo(new Cost(0, true));
        // gpt-5-nano 0.05 in: one token = 0.05 micro-USD = 50 nano-USD
        assertThat(table.cost("gpt-5-nano", new Usage(1, 0, 0, 0, 0)).nanos()).isEqualTo(50);
        assertThat(new Cost(1_500_000_000L, true).usd()).isEqualByComparingTo("1.5");
    }

    @Test
    void badEntryNamesItsPath() throws Exception {
        List<String> problems = new ArrayList<>();
        var node = new ObjectMapper().readTree("{\"input\": -1, \"outptu\": 3}");
        assertThat(Price.parse("m", node, "prices.m", problems::add)).isEmpty();
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("prices.m.input:"))
                .anySatisfy(p -> assertThat(p).startsWith("prices.m.outptu: unknown key"));
    }
}
