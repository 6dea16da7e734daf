package dev.rosetta.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.model.Usage;
import java.math.BigDecimal;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** {@link Cost#of} computes in longs where the rates allow it: always what the exact BigDecimal arithmetic gives. */
class CostArithmeticTest {

    /** A rate in USD per million tokens with up to six decimals, as price pages and configurations write them. */
    private static BigDecimal rate(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }

    @Property(tries = 2000)
    void theLongPathEqualsTheExactArithmetic(@ForAll @LongRange(min = 0, max = 200_000_000) long in,
                                             @ForAll @LongRange(min = 0, max = 200_000_000) long out,
                                             @ForAll @LongRange(min = 0, max = 200_000_000) long read,
                                             @ForAll @LongRange(min = 0, max = 200_000_000) long write,
                                             @ForAll @LongRange(min = 0, max = 600_000_000) long rin,
                                             @ForAll @LongRange(min = 0, max = 600_000_000) long rout,
                                             @ForAll @LongRange(min = 0, max = 600_000_000) long rread,
                                             @ForAll @LongRange(min = 0, max = 600_000_000) long rw5,
                                             @ForAll @LongRange(min = 0, max = 600_000_000) long rw1,
                                             @ForAll @LongRange(min = 0, max = 100) long oneHourShare,
                                             @ForAll @LongRange(min = 0, max = 10_000_000) long tokensIn) {
        Price.Rates rates = new Price.Rates(rate(rin), rate(rout), rate(rread), rate(rw5), rate(rw1));
        assertThat(rates.picoPerToken()).isNotNull();
        Usage u = new Usage(tokensIn + in % 1000, read, write, out, 0, write * oneHourShare / 100);
        Price price = new Price("m", rates, Optional.empty(), "", "");
        assertThat(Cost.of(price, u).nanos()).isEqualTo(Cost.exactNanos(rates, u));
    }

    @Test
    void aRateWithMoreThanSixDecimalsIsComputedExactly() {
        Price.Rates rates = new Price.Rates(new BigDecimal("0.0000001"), BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE,
                BigDecimal.ONE);
        assertThat(rates.picoPerToken()).isNull();
        Usage u = new Usage(5_000_000, 0, 0, 3, 0);
        assertThat(Cost.of(new Price("m", rates, Optional.empty(), "", ""), u).nanos())
                .isEqualTo(Cost.exactNanos(rates, u)).isEqualTo(3500);
    }

    @Test
    void halfANanoRoundsUpAsTheExactArithmeticDoes() {
        Price.Rates rates = new Price.Rates(new BigDecimal("0.0005"), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO);
        // 1 token x 0.0005 USD per million = 0.5 nano-USD
        assertThat(Cost.of(new Price("m", rates, Optional.empty(), "", ""), new Usage(1, 0, 0, 0, 0)).nanos()).isEqualTo(1);
        assertThat(Cost.of(new Price("m", rates, Optional.empty(), "", ""), new Usage(3, 0, 0, 0, 0)).nanos()).isEqualTo(2);
    }
}
