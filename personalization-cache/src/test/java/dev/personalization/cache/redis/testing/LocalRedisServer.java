package dev.personalization.cache.redis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for integration tests and benchmarks, started offline: the linux-amd64
 * binary shipped inside {@code com.github.codemonstur:embedded-redis} (a test/bench dependency) is
 * copied out of the jar on the classpath and run with {@link ProcessBuilder} on a free loopback port,
 * without persistence. Tests control the real process: {@link #pause()} sends SIGSTOP,
 * {@link #resume()} SIGCONT, {@link #kill()} SIGKILL, and {@link #restart()} starts a new server on
 * the same port. Used by the cache module's {@code *IT} tests and, through its test jar, by the
 * benchmarks.
 */
public final class LocalRedisServer implements AutoCloseable {

  /** The binary's resource name inside the embedded-redis jar. */
  public static final String BINARY = "redis-server-6.2.6-v5-linux-amd64";

  private static Path extracted;

  private final Path binary;
  private final Path dir;
  private final int port;
  private final List<String> leadingArgs;
  private final List<String> extraArgs;
  private Process process;

  private LocalRedisServer(Path binary, Path dir, int port, List<String> leadingArgs, List<String> extraArgs) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.leadingArgs = leadingArgs;
    this.extraArgs = extraArgs;
  }

  /** Starts a server on a free loopback port and waits until it answers PING. */
  public static LocalRedisServer start(String... extraArgs) {
    try {
      Path dir = Files.createTempDirectory("redis-it-");
      LocalRedisServer server = new LocalRedisServer(binary(), dir, freePort(), List.of(), List.of(extraArgs));
      server.launch();
      Runtime.getRuntime().addShutdownHook(new Thread(server::destroyQuietly));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a Sentinel (the same binary with {@code --sentinel}) on a free loopback port, watching
   * the master {@code masterName} at 127.0.0.1:{@code masterPort} with a quorum of 1, a master
   * considered down after 1 s without answers and a failover timeout of 5 s. Sentinel rewrites its
   * configuration file, which lives in the server's own temporary directory.
   */
  public static LocalRedisServer startSentinel(String masterName, int masterPort) {
    try {
      Path dir = Files.createTempDirectory("redis-sentinel-it-");
      Path config = dir.resolve("sentinel.conf");
      Files.writeString(config, String.join("\n",
          "sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " 1",
          "sentinel down-after-milliseconds " + masterName + " 1000",
          "sentinel failover-timeout " + masterName + " 5000",
          ""));
      LocalRedisServer server = new LocalRedisServer(binary(), dir, freePort(),
          List.of(config.toAbsolutePath().toString(), "--sentinel"), List.of());
      server.launch();
      Runtime.getRuntime().addShutdownHook(new Thread(server::destroyQuietly));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A loopback port that was free a moment ago, for a second listener such as {@code --tls-port}. */
  public static int freeLoopbackPort() {
    try {
      return freePort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The binary that {@link #start} runs, extracted from the embedded-redis jar. */
  public static Path binaryPath() {
    try {
      return binary();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized Path binary() throws IOException {
    if (extracted == null) {
      String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
      String arch = System.getProperty("os.arch");
      if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
        throw new IllegalStateException("the bundled redis-server is for linux-amd64, this is " + os + "/" + arch);
      }
      try (InputStream in = LocalRedisServer.class.getClassLoader().getResourceAsStream(BINARY)) {
        if (in == null) {
          throw new IllegalStateException(BINARY + " is not on the classpath: add com.github.codemonstur:embedded-redis");
        }
        Path target = Files.createTempFile("redis-server-", "");
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        if (!target.toFile().setExecutable(true)) {
          throw new IOException("cannot make " + target + " executable");
        }
        target.toFile().deleteOnExit();
        extracted = target;
      }
    }
    return extracted;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void launch() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    // A configuration file must come first, before any option.
    cmd.addAll(leadingArgs);
    cmd.addAll(List.of("--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
    cmd.addAll(extraArgs);
    Path log = dir.resolve("redis.log");
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      if (answersPing()) {
        return;
      }
      sleep(Duration.ofMillis(20));
    }
    process.destroyForcibly();
    throw new IllegalStateException("redis-server did not answer PING on port " + port + " within 10 s: " + Files.readString(log));
  }

  private boolean answersPing() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] buf = new byte[7];
      int n = s.getInputStream().read(buf);
      String reply = n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII) : "";
      // A server started with --requirepass answers, but refuses PING before AUTH.
      return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
    } catch (IOException e) {
      return false;
    }
  }

  /** The port the server listens on (127.0.0.1). */
  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:port}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** The operating-system process id of the running server. */
  public long pid() {
    return process.pid();
  }

  /** Whether the server process is running (paused counts as running). */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGSTOP: the server keeps its connections open but stops answering. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() {
    signal("CONT");
  }

  /** SIGKILL, and waits until the process is gone. Data is lost (no persistence). */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts a fresh (empty) server on the same port, after {@link #kill()}. */
  public void restart() {
    if (isAlive()) {
      kill();
    }
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid()).inheritIO().start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling redis-server", e);
    }
  }

  private void destroyQuietly() {
    Process p = process;
    if (p != null && p.isAlive()) {
      // A stopped process ignores nothing but SIGKILL; SIGCONT first lets a plain stop work too.
      p.destroyForcibly();
    }
  }

  /** Kills the server and deletes its directory. */
  @Override
  public void close() {
    destroyQuietly();
    try {
      if (process != null) {
        process.waitFor(10, TimeUnit.SECONDS);
      }
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    } catch (IOException | InterruptedException e) {
      // Best effort: a temp directory left behind is harmless.
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "LocalRedisServer{port=" + port + ", pid=" + (process == null ? "-" : process.pid()) + "}";
  }
}
