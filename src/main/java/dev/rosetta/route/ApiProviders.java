package dev.rosetta.route;

import dev.rosetta.config.ProviderConfig;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.route.ApiPaths.ApiPath;
import java.util.List;
import java.util.Optional;

/**
 * Which provider a passed-through API request goes to: the one serving the model the request names
 * (in its path or body), else the one the client names with {@code x-rosetta-provider}, else the
 * only provider of the API's type. Anything else is refused with the choices spelled out. Providers
 * with {@code passthrough: false} are never chosen.
 */
public final class ApiProviders {

    /** The header a client names a provider with when several could serve a request. */
    public static final String HEADER = "x-rosetta-provider";

    /**
     * Where a request goes.
     *
     * @param route the model route, when the request named a model the gateway serves
     */
    public record Target(ProviderConfig provider, String upstreamPath, Optional<Route> route) {
    }

    private final List<ProviderConfig> providers;
    private final ModelRoutes routes;

    public ApiProviders(List<ProviderConfig> providers, ModelRoutes routes) {
        this.providers = List.copyOf(providers);
        this.routes = routes;
    }

    /**
     * @param bodyModel the model named in the request body, if any
     * @param named the provider named by the client, if any
     * @throws dev.rosetta.error.GatewayException when no provider can be chosen, in words for the client
     */
    public Target choose(ApiPath path, Optional<String> bodyModel, Optional<String> named) {
        ProviderType family = path.family();
        String what = path.clientPath();
        Optional<ProviderConfig> chosen = named.map(n -> named(n, family, what));
        Optional<String> model = path.model().or(() -> bodyModel);
        // A model of another type reached by a name pattern (say a catch-all "*") is no claim on this API:
        // the request goes by the other rules and the provider judges the name.
        Optional<Route> route = model.flatMap(routes::find)
                .filter(r -> r.provider().type() == family || !r.model().name().endsWith("*"));
        if (route.isPresent()) {
            ProviderConfig p = route.get().provider();
            String m = model.get();
            if (p.type() == ProviderType.MOCK) {
                throw invalid("model \"" + m + "\" is served by the offline mock provider \"" + p.name()
                        + "\", which has no " + what + " API");
            }
            if (p.type() != family) {
                throw invalid("model \"" + m + "\" is served by provider \"" + p.name() + "\" (" + p.type().wireName()
                        + "), but " + what + " is part of the " + family.wireName() + " API");
            }
            if (chosen.isPresent() && !chosen.get().name().equals(p.name())) {
                throw invalid(HEADER + " names provider \"" + chosen.get().name() + "\", but model \"" + m
                        + "\" is served by provider \"" + p.name() + "\"");
            }
            if (!p.passthrough()) {
                throw off(p, what);
            }
            return new Target(p, path.upstreamPath(Optional.of(route.get().upstreamModel())), route);
        }
        if (chosen.isPresent()) {
            return new Target(chosen.get(), path.upstreamPath(Optional.empty()), Optional.empty());
        }
        List<ProviderConfig> candidates = providers.stream()
                .filter(p -> p.type() == family && p.passthrough()).toList();
        if (candidates.size() == 1) {
            return new Target(candidates.get(0), path.upstreamPath(Optional.empty()), Optional.empty());
        }
        if (candidates.isEmpty()) {
            List<String> off = providers.stream().filter(p -> p.type() == family).map(ProviderConfig::name).toList();
            throw GatewayError.of(ErrorKind.NOT_FOUND, off.isEmpty()
                    ? "no " + family.wireName() + " provider is configured to pass " + what + " through to"
                    : "passthrough is turned off (passthrough: false) for the " + family.wireName() + " provider"
                            + (off.size() > 1 ? "s " : " ") + quoted(off) + ", so " + what + " is not served")
                    .toException();
        }
        throw invalid("several " + family.wireName() + " providers can serve " + what + ": name one with the header "
                + HEADER + ": NAME (one of " + quoted(candidates.stream().map(ProviderConfig::name).toList()) + ")");
    }

    private ProviderConfig named(String name, ProviderType family, String what) {
        List<ProviderConfig> sameType = providers.stream().filter(p -> p.type() == family && p.passthrough()).toList();
        ProviderConfig p = providers.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(() ->
                invalid(HEADER + ": no provider named \"" + name + "\" (for " + what + " one of "
                        + quoted(sameType.stream().map(ProviderConfig::name).toList()) + ")"));
        if (p.type() != family) {
            throw invalid(HEADER + ": provider \"" + name + "\" is of type " + p.type().wireName() + ", but " + what
                    + " is part of the " + family.wireName() + " API (one of "
                    + quoted(sameType.stream().map(ProviderConfig::name).toList()) + ")");
        }
        if (!p.passthrough()) {
            throw off(p, what);
        }
        return p;
    }

    private static RuntimeException off(ProviderConfig p, String what) {
        return GatewayError.of(ErrorKind.NOT_FOUND, "passthrough is turned off (passthrough: false) for provider \""
                + p.name() + "\", so " + what + " is not served").toException();
    }

    private static RuntimeException invalid(String message) {
        return GatewayError.of(ErrorKind.INVALID_REQUEST, message).toException();
    }

    private static String quoted(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names.stream().map(n -> "\"" + n + "\"").toList());
    }
}
