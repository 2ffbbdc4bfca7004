package dev.personalization.jdbc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Where one database server is reached: a JDBC URL with credentials, or an unpooled
 * {@link DataSource}. The store wraps each endpoint in its own HikariCP pool.
 *
 * <p>Immutable; {@link #toString()} never shows the password.
 */
public final class JdbcEndpoint {

  private final String jdbcUrl;
  private final String username;
  private final String password;
  private final DataSource dataSource;
  private final Map<String, String> properties;

  private JdbcEndpoint(String jdbcUrl, String username, String password, DataSource dataSource, Map<String, String> properties) {
    this.jdbcUrl = jdbcUrl;
    this.username = username;
    this.password = password;
    this.dataSource = dataSource;
    this.properties = Map.copyOf(properties);
  }

  /**
   * An endpoint by URL, e.g. {@code jdbc:postgresql://db-1:5432/app} or {@code jdbc:h2:mem:app}.
   *
   * @throws IllegalArgumentException when the URL does not start with {@code jdbc:}
   */
  public static JdbcEndpoint of(String jdbcUrl, String username, String password) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:")) {
      throw new IllegalArgumentException("jdbcUrl must start with 'jdbc:', was '" + jdbcUrl + "'");
    }
    return new JdbcEndpoint(jdbcUrl, username, password, null, Map.of());
  }

  /** An endpoint by URL without credentials (embedded databases, trust authentication). */
  public static JdbcEndpoint of(String jdbcUrl) {
    return of(jdbcUrl, null, null);
  }

  /**
   * An endpoint reached through an unpooled {@link DataSource} (a driver's own, or a wrapper that
   * instruments it); the store pools its connections. The dialect is read from the connection's
   * metadata.
   */
  public static JdbcEndpoint of(DataSource unpooled) {
    return new JdbcEndpoint(null, null, null, Objects.requireNonNull(unpooled, "dataSource"), Map.of());
  }

  /** This endpoint with one more driver property (e.g. {@code sslmode=verify-full}); URL endpoints only. */
  public JdbcEndpoint withProperty(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (dataSource != null) {
      throw new IllegalStateException("driver properties apply to URL endpoints; configure the DataSource itself");
    }
    Map<String, String> copy = new LinkedHashMap<>(properties);
    copy.put(key, value);
    return new JdbcEndpoint(jdbcUrl, username, password, null, copy);
  }

  /** The JDBC URL, or {@code null} for a DataSource endpoint. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  String username() {
    return username;
  }

  String password() {
    return password;
  }

  DataSource dataSource() {
    return dataSource;
  }

  Properties properties() {
    Properties p = new Properties();
    p.putAll(properties);
    return p;
  }

  @Override
  public String toString() {
    return dataSource != null ? "JdbcEndpoint{" + dataSource.getClass().getName() + "}"
        : "JdbcEndpoint{" + jdbcUrl + (username == null ? "" : ", user=" + username) + "}";
  }
}
