package dev.rosetta.route;

import dev.rosetta.config.ModelGroupConfig.Strategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/** The order a group's targets are tried in for one request. */
final class Strategies {

    private Strategies() {
    }

    static List<Target> order(Strategy strategy, List<Target> targets, Health health, RandomGenerator random) {
        if (targets.size() < 2) {
            return targets;
        }
        return switch (strategy) {
            case ORDERED -> targets;
            case WEIGHTED -> weighted(targets, random);
            case LEAST_BUSY -> sorted(targets, Comparator.comparingInt(t -> health.of(t).inFlight()));
            case LOWEST_LATENCY -> sorted(targets, Comparator.comparingLong(t -> health.of(t).latencyNanos()));
            case LOWEST_COST -> sorted(targets, Comparator.comparingDouble(Target::cost));
        };
    }

    private static List<Target> sorted(List<Target> targets, Comparator<Target> by) {
        List<Target> out = new ArrayList<>(targets);
        out.sort(by); // stable: ties keep the configuration order
        return out;
    }

    /** Weighted random order without replacement (Efraimidis–Spirakis keys); weight 0 goes last. */
    private static List<Target> weighted(List<Target> targets, RandomGenerator random) {
        int n = targets.size();
        double[] keys = new double[n];
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            int w = targets.get(i).weight();
            keys[i] = w <= 0 ? Double.MAX_VALUE : -Math.log(1 - random.nextDouble()) / w;
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, Comparator.comparingDouble(i -> keys[i]));
        List<Target> out = new ArrayList<>(n);
        for (Integer i : idx) {
            out.add(targets.get(i));
        }
        return out;
    }
}
