package dev.rosetta.limits;

class InProcessLimiterTest extends LimiterContract {

    private final InProcessLimiter limiter = new InProcessLimiter();

    @Override
    protected Limiter limiter() {
        return limiter;
    }
}
