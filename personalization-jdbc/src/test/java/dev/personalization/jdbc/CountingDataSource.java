package dev.personalization.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Wraps an unpooled DataSource and counts the statements executed through its connections, at the
 * JDBC boundary: independent of the store's own instrumentation. A batch counts once per
 * {@code executeBatch} (one round trip).
 */
public final class CountingDataSource implements DataSource {

  private final DataSource delegate;
  private final AtomicInteger executions = new AtomicInteger();
  private final List<String> sql = new CopyOnWriteArrayList<>();

  public CountingDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  /** Statements executed so far. */
  public int executions() {
    return executions.get();
  }

  /** The SQL of the statements prepared so far. */
  public List<String> preparedSql() {
    return List.copyOf(sql);
  }

  public void reset() {
    executions.set(0);
    sql.clear();
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return wrap(delegate.getConnection(username, password));
  }

  private Connection wrap(Connection c) {
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (proxy, m, args) -> {
      Object result = invoke(c, m, args);
      if (result instanceof Statement s && (m.getName().startsWith("prepare") || m.getName().equals("createStatement"))) {
        if (args != null && args.length > 0 && args[0] instanceof String text) {
          sql.add(text);
        }
        return wrapStatement(s);
      }
      return result;
    });
  }

  private Statement wrapStatement(Statement s) {
    Class<?>[] types = s instanceof java.sql.CallableStatement ? new Class<?>[] {java.sql.CallableStatement.class}
        : s instanceof java.sql.PreparedStatement ? new Class<?>[] {java.sql.PreparedStatement.class} : new Class<?>[] {Statement.class};
    return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), types, (proxy, m, args) -> {
      if (m.getName().startsWith("execute")) {
        executions.incrementAndGet();
        if (args != null && args.length > 0 && args[0] instanceof String text) {
          sql.add(text);
        }
      }
      return invoke(s, m, args);
    });
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return delegate.isWrapperFor(iface);
  }
}
