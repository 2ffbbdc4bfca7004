package dev.personalization.bench.load;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host service over HTTP, through the JDK {@link HttpClient} (HTTP/2 where the server speaks it,
 * HTTP/1.1 otherwise; one client, so connections are reused).
 *
 * <p>Each request is {@code GET {url}?user=…&scenario=…&limit=…} plus {@code device},
 * {@code category_id}, {@code query} and {@code candidates} (comma-separated) when present. A 2xx
 * answer is a success, degraded when the response has header {@code X-Degraded: true} or its body
 * contains {@code "degraded":true}; 429 and 503 are rejections; anything else, or no answer within
 * the timeout, is an error.
 *
 * <p>CPU, heap and cache hit rate of a remote service are not visible from here; they are reported
 * as not measured and their pass rules are skipped. Thread-safe; {@link #close()} stops the client's
 * threads.
 */
public final class HttpTarget implements Target {

  private final URI base;
  private final Duration timeout;
  private final ExecutorService executor;
  private final HttpClient client;

  private HttpTarget(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "load-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(executor)
        .build();
  }

  /**
   * A target at {@code url} (its query string, if any, is kept and extended).
   *
   * @param timeout per request; a request not answered by then is an error
   * @throws IllegalArgumentException unless the URL is absolute http or https
   */
  public static HttpTarget of(URI url, Duration timeout) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(timeout, "timeout");
    if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
      throw new IllegalArgumentException("url must be an absolute http or https URL, was " + url);
    }
    return new HttpTarget(url, timeout);
  }

  @Override
  public String description() {
    return "HTTP GET " + base;
  }

  /** The URI a request is sent to. */
  URI uri(LoadRequest r) {
    StringBuilder q = new StringBuilder(base.toString());
    q.append(base.getRawQuery() == null ? '?' : '&');
    q.append("user=").append(enc(r.userId()));
    q.append("&scenario=").append(enc(r.scenario().name()));
    q.append("&limit=").append(r.limit());
    if (r.device() != null) {
      q.append("&device=").append(enc(r.device()));
    }
    if (r.categoryId() != null) {
      q.append("&category_id=").append(enc(r.categoryId()));
    }
    if (r.query() != null) {
      q.append("&query=").append(enc(r.query()));
    }
    if (!r.candidates().isEmpty()) {
      q.append("&candidates=").append(enc(String.join(",", r.candidates())));
    }
    return URI.create(q.toString());
  }

  @Override
  public CompletableFuture<TargetResponse> send(LoadRequest request) {
    HttpRequest http = HttpRequest.newBuilder(uri(request)).timeout(timeout).GET().build();
    return client.sendAsync(http, HttpResponse.BodyHandlers.ofString()).thenApply(HttpTarget::classify);
  }

  private static TargetResponse classify(HttpResponse<String> response) {
    int status = response.statusCode();
    if (status == 429 || status == 503) {
      throw new TargetRejectedException(status);
    }
    if (status < 200 || status > 299) {
      throw new IllegalStateException("HTTP " + status);
    }
    boolean degraded = response.headers().firstValue("X-Degraded").map("true"::equalsIgnoreCase).orElse(false)
        || response.body().replace(" ", "").contains("\"degraded\":true");
    return TargetResponse.of(degraded);
  }

  @Override
  public boolean isRejection(Throwable failure) {
    return failure instanceof TargetRejectedException;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
