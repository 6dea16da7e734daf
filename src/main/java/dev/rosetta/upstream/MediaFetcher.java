package dev.rosetta.upstream;

import dev.rosetta.config.MediaFetchConfig;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.MediaSource;
import dev.rosetta.model.SourcePaths;
import dev.rosetta.model.Turn;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Fetches media given by URL when the target provider cannot fetch it itself (Gemini's Developer API
 * takes no web URLs; OpenAI Chat takes documents only inline), and inlines it as base64. Bounded in
 * size and time; addresses that are private, loopback, link-local or otherwise internal are refused
 * unless allowed, checked on the resolved address that is then connected to (no DNS rebinding); no
 * redirects are followed.
 */
public final class MediaFetcher {

    private final Vertx vertx;
    private final MediaFetchConfig policy;
    private final HttpClientAgent client;
    private final Egress egress;

    public MediaFetcher(Vertx vertx, MediaFetchConfig policy) {
        this(vertx, policy, Egress.direct());
    }

    /** @param egress the proxy fetches go through, if any (the address check still applies first) */
    public MediaFetcher(Vertx vertx, MediaFetchConfig policy, Egress egress) {
        this.vertx = vertx;
        this.egress = egress;
        this.policy = policy;
        this.client = vertx.createHttpClient(new HttpClientOptions().setVerifyHost(true).setForceSni(true)
                .setConnectTimeout((int) policy.timeout().toMillis()).setMaxRedirects(0).setKeepAlive(false));
    }

    /** Whether a URL source must be fetched for the target dialect. */
    static boolean mustFetch(Dialect target, ContentBlock block, MediaSource.Url url) {
        String u = url.url().toLowerCase(Locale.ROOT);
        if (!(u.startsWith("http://") || u.startsWith("https://"))) {
            return false;
        }
        return switch (target) {
            case GEMINI -> !u.startsWith("https://generativelanguage.googleapis.com/")
                    && !u.startsWith("https://www.youtube.com/") && !u.startsWith("https://youtu.be/");
            case OPENAI_CHAT -> block instanceof ContentBlock.Document;
            default -> false;
        };
    }

    /** The request with every URL the target cannot take replaced by inline data. */
    public Future<ChatRequest> inline(ChatRequest request, Dialect target) {
        if (request.turns().stream().flatMap(t -> t.content().stream()).noneMatch(b -> needs(b, target))) {
            return Future.succeededFuture(request);
        }
        List<Future<List<ContentBlock>>> turns = new ArrayList<>();
        for (int t = 0; t < request.turns().size(); t++) {
            turns.add(blocks(request.turns().get(t).content(), target, request.sources(), "turn " + t));
        }
        return Future.all(turns).map(x -> {
            List<Turn> out = new ArrayList<>();
            for (int t = 0; t < turns.size(); t++) {
                out.add(new Turn(request.turns().get(t).role(), turns.get(t).result()));
            }
            return request.withTurns(out);
        });
    }

    private static boolean needs(ContentBlock b, Dialect target) {
        return switch (b) {
            case ContentBlock.Image i -> i.source() instanceof MediaSource.Url u && mustFetch(target, b, u);
            case ContentBlock.Document d -> d.source() instanceof MediaSource.Url u && mustFetch(target, b, u);
            case ContentBlock.ToolResult r -> r.content().stream().anyMatch(c -> needs(c, target));
            default -> false;
        };
    }

    /** {@code where} names a block in errors when the client's path of it is not known. */
    private Future<List<ContentBlock>> blocks(List<ContentBlock> content, Dialect target, SourcePaths sources,
                                              String where) {
        List<Future<ContentBlock>> out = new ArrayList<>();
        content.forEach(b -> out.add(block(b, target, sources, sources.of(b, where))));
        return Future.all(out).map(x -> out.stream().map(Future::result).toList());
    }

    private Future<ContentBlock> block(ContentBlock b, Dialect target, SourcePaths sources, String where) {
        if (!needs(b, target)) {
            return Future.succeededFuture(b);
        }
        return switch (b) {
            case ContentBlock.Image i -> fetch((MediaSource.Url) i.source(), where)
                    .map(s -> new ContentBlock.Image(s, i.detail(), i.cacheControl()));
            case ContentBlock.Document d -> fetch((MediaSource.Url) d.source(), where)
                    .map(s -> new ContentBlock.Document(s, d.title(), d.cacheControl()));
            case ContentBlock.ToolResult r -> blocks(r.content(), target, sources, where)
                    .map(c -> new ContentBlock.ToolResult(r.toolCallId(), c, r.isError(), r.cacheControl()));
            default -> Future.succeededFuture(b);
        };
    }

    /** Fetches one URL into inline base64, or fails with a 400 naming it. */
    Future<MediaSource> fetch(MediaSource.Url source, String where) {
        URI uri;
        try {
            uri = URI.create(source.url());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(refused(source, where, "not a valid URL"));
        }
        String host = uri.getHost();
        if (host == null) {
            return Future.failedFuture(refused(source, where, "no host"));
        }
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        return vertx.<InetAddress>executeBlocking(() -> resolve(host))
                .recover(e -> Future.failedFuture(refused(source, where, "cannot resolve " + host)))
                .compose(address -> {
                    if (!policy.allowPrivate() && isInternal(address)) {
                        return Future.failedFuture(refused(source, where, "internal addresses are not fetched"));
                    }
                    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
                            .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                            .setHost(host).setPort(port).setSsl(tls)
                            .setURI(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" :
                                    uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
                            .setFollowRedirects(false)
                            .setConnectTimeout(policy.timeout().toMillis())
                            .setIdleTimeout(policy.timeout().toMillis());
                    // Through a proxy the checked address is still what is asked for (CONNECT to it, or
                    // an absolute-form request naming the host), so the proxy cannot be steered elsewhere.
                    egress.forUrl(source.url(), java.util.Optional.of(address)).ifPresent(proxy -> {
                        options.setProxyOptions(proxy);
                        if (!tls) {
                            options.setServer(null);
                        }
                    });
                    return download(options, source, where);
                });
    }

    private Future<MediaSource> download(RequestOptions options, MediaSource.Url source, String where) {
        Promise<MediaSource> result = Promise.promise();
        long timer = vertx.setTimer(policy.timeout().toMillis(),
                id -> result.tryFail(refused(source, where, "timed out after " + policy.timeout().toSeconds() + "s")));
        client.request(options).compose(req -> req.send()).onComplete(ar -> {
            if (ar.failed()) {
                result.tryFail(refused(source, where, "could not connect"));
                return;
            }
            var resp = ar.result();
            if (resp.statusCode() != 200) {
                resp.request().reset();
                result.tryFail(refused(source, where, "answered HTTP " + resp.statusCode()));
                return;
            }
            String length = resp.getHeader("content-length");
            if (length != null && length.chars().allMatch(Character::isDigit) && !length.isEmpty()
                    && Long.parseLong(length) > policy.maxBytes()) {
                result.tryFail(refused(source, where, "larger than " + policy.maxBytes() + " bytes"));
                resp.request().reset();
                return;
            }
            Buffer body = Buffer.buffer();
            resp.handler(chunk -> {
                if (result.future().isComplete()) {
                    return;
                }
                if (body.length() + chunk.length() > policy.maxBytes()) {
                    result.tryFail(refused(source, where, "larger than " + policy.maxBytes() + " bytes"));
                    resp.request().reset();
                    return;
                }
                body.appendBuffer(chunk);
            });
            resp.exceptionHandler(e -> result.tryFail(refused(source, where, "download broke off")));
            resp.endHandler(v -> {
                String type = source.mediaType().orElseGet(() -> {
                    String ct = resp.getHeader("content-type");
                    return ct == null ? "application/octet-stream" : ct.split(";")[0].trim();
                });
                result.tryComplete(new MediaSource.Base64(type, Base64.getEncoder().encodeToString(body.getBytes())));
            });
        });
        return result.future().onComplete(x -> vertx.cancelTimer(timer));
    }

    private static InetAddress resolve(String host) throws UnknownHostException {
        return InetAddress.getByName(host);
    }

    /** Loopback, private, link-local, carrier-grade NAT, unique-local, multicast or unspecified. */
    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128) || (first == 192 && second == 0
                    && (b[2] & 0xff) == 0) || first >= 240;
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return true;
            }
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return isInternal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Throwable refused(MediaSource.Url source, String where, String why) {
        return GatewayError.of(ErrorKind.INVALID_REQUEST, "cannot use the media at " + redactUrl(source.url())
                + " (" + where + ") for this provider, which needs it inline: " + why).toException();
    }

    private static String redactUrl(String url) {
        int q = url.indexOf('?');
        String s = q < 0 ? url : url.substring(0, q) + "?…";
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    public void close() {
        client.close();
    }
}
