package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import dev.personalization.feature.FeatureVector;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS rides on the {@link RedisURI} ({@code rediss://}), the certificate to trust on
 * {@link RedisTier.Builder#sslOptions}. The embedded {@code redis-server} is built with TLS (it links
 * the host's OpenSSL 3); the test makes a self-signed certificate for 127.0.0.1 with the JDK's
 * {@code keytool}, so it needs nothing from the network or the host's {@code openssl} command.
 */
class RedisTlsIT {

  private static final String KEY = "pe:item:1:item:v1";
  private static final String PASSWORD = "changeit";

  private static Path dir;
  private static Path certificate;
  private static LocalRedisServer server;
  private static int tlsPort;

  @BeforeAll
  static void startRedisWithTls() throws Exception {
    dir = Files.createTempDirectory("redis-tls-it-");
    Path keyStore = dir.resolve("redis.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "redis", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + output);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    Certificate cert = ks.getCertificate("redis");
    PrivateKey key = (PrivateKey) ks.getKey("redis", PASSWORD.toCharArray());
    certificate = dir.resolve("redis.crt");
    Path keyFile = dir.resolve("redis.key");
    Files.writeString(certificate, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
    tlsPort = LocalRedisServer.freeLoopbackPort();
    // The plain port stays open only for the launcher's readiness PING; the tier uses the TLS port.
    server = LocalRedisServer.start("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", certificate.toString(),
        "--tls-key-file", keyFile.toString(), "--tls-ca-cert-file", certificate.toString(), "--tls-auth-clients", "no");
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @AfterAll
  static void stopRedis() throws IOException {
    if (server != null) {
      server.close();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private static RedisURI tlsUri() {
    return RedisURI.Builder.redis("127.0.0.1", tlsPort).withSsl(true).withVerifyPeer(true).build();
  }

  @Test
  void aRoundTripOverTlsWithTheServersCertificateTrusted() throws Exception {
    try (RedisCacheTier tier = RedisTier.builder().uri(tlsUri()).namespace("tls")
        .sslOptions(SslOptions.builder().jdkSslProvider().trustManager(certificate.toFile()).build())
        .commandTimeout(Duration.ofSeconds(1)).connectTimeout(Duration.ofSeconds(5)).build()) {
      tier.putAll(List.of(new CacheEntry(KEY, FeatureVector.of(1, 7, 0L, 1f), Duration.ofMinutes(1)))).get(5, TimeUnit.SECONDS);

      Map<String, FeatureVector> got = tier.getAll(List.of(KEY)).get(5, TimeUnit.SECONDS);
      assertEquals(7, got.get(KEY).version());
    }
  }

  @Test
  void anUntrustedCertificateIsRefusedAndTheTierFailsSoft() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // No sslOptions: only the JVM's default trust store, which does not hold the self-signed cert.
    try (RedisCacheTier tier = RedisTier.builder().uri(tlsUri()).namespace("tls").meterRegistry(registry)
        .connectTimeout(Duration.ofSeconds(2)).build()) {
      assertEquals(Map.of(), tier.getAll(List.of(KEY)).get(5, TimeUnit.SECONDS));
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> tier.putAll(List.of(new CacheEntry(KEY, FeatureVector.of(1, 8, 0L, 1f), Duration.ofMinutes(1))))
              .get(5, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof RedisUnavailableException, "expected a skipped call, got " + e.getCause());
      assertTrue(registry.get("personalization.redis.commands").tag("result", "ok").counter().count() == 0,
          "a command succeeded without a trusted certificate");
    }
  }
}
