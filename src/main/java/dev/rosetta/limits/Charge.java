package dev.rosetta.limits;

/** What one request takes from one bucket: {@code cost} units (1 for requests and concurrency). */
public record Charge(Bucket bucket, long cost) {

    public Charge {
        if (cost < 0) {
            throw new IllegalArgumentException("cost must not be negative: " + cost);
        }
    }
}
