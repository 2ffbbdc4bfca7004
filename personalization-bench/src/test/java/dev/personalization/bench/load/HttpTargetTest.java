package dev.personalization.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.personalization.Scenario;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP target against a local JDK HTTP server: success, degraded answers and rejections. */
class HttpTargetTest {

  private HttpServer server;
  private URI url;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/recommend", exchange -> {
      String query = exchange.getRequestURI().getRawQuery();
      int status = query.contains("user=u2&") ? 503 : 200;
      byte[] body = (query.contains("user=u3&") ? "{\"items\": [], \"degraded\": true}" : "{\"items\": []}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(body);
      }
    });
    server.start();
    url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/recommend");
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void answersRejectionsAndDegradedAnswersAreCountedApart() throws InterruptedException {
    AtomicInteger n = new AtomicInteger();
    Workload users = sender -> () ->
        new LoadRequest("u" + (1 + n.getAndIncrement() % 3), Scenario.HOMEPAGE, 10, "mobile", null, null, List.of());
    try (HttpTarget target = HttpTarget.of(url, Duration.ofSeconds(5))) {
      StepResult r = OpenLoopRunner.builder(target, users).build()
          .run(StepPlan.steady(60, Duration.ZERO, Duration.ofSeconds(1), Arrivals.FIXED, "step"));
      assertEquals(60, r.scheduled());
      assertEquals(40, r.completed());
      assertEquals(20, r.errors());
      assertEquals(20, r.rejected());
      assertEquals(20, r.degraded());
      assertTrue(Double.isNaN(r.resources().cpu()) && Double.isNaN(r.hitRate()), "not measurable from outside");
    }
  }

  @Test
  void requestsCarryTheirContextInTheQueryString() {
    try (HttpTarget target = HttpTarget.of(URI.create("http://host:8080/rec?tenant=a"), Duration.ofSeconds(1))) {
      URI u = target.uri(new LoadRequest("u 1", Scenario.SEARCH, 20, "mobile", null, "red shoes", List.of("i1", "i2")));
      assertEquals("http://host:8080/rec?tenant=a&user=u+1&scenario=search&limit=20&device=mobile&query=red+shoes"
          + "&candidates=i1%2Ci2", u.toString());
    }
  }

  @Test
  void onlyAbsoluteHttpUrlsAreAccepted() {
    assertThrows(IllegalArgumentException.class, () -> HttpTarget.of(URI.create("ftp://x/"), Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> HttpTarget.of(URI.create("/relative"), Duration.ofSeconds(1)));
  }
}
