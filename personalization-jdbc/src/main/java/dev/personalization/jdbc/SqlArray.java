package dev.personalization.jdbc;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.StatementContext;

/** Binds a Java array as one SQL array parameter of a named element type (PostgreSQL). */
final class SqlArray implements Argument {

  /** PgJDBC's statement interface, or null when PgJDBC is not on the class path. */
  private static final Class<?> PGJDBC_STATEMENT = pgjdbcStatement();

  private final String elementType;
  private final Object[] elements;

  SqlArray(String elementType, Object[] elements) {
    this.elementType = elementType;
    this.elements = elements;
  }

  @Override
  public void apply(int position, PreparedStatement statement, StatementContext ctx) throws SQLException {
    if (elements instanceof String[] strings && elementType.equals("varchar") && PGJDBC_STATEMENT != null
        && statement.isWrapperFor(PGJDBC_STATEMENT)) {
      // PgJDBC sends a String[] given to setObject as a binary varchar[]: length-prefixed strings the
      // server copies, where createArrayOf sends a quoted, escaped text literal that the server parses
      // element by element (array_in). Same type, same values, same statement shape.
      statement.setObject(position, strings);
      return;
    }
    Array array = statement.getConnection().createArrayOf(elementType, elements);
    statement.setArray(position, array);
  }

  private static Class<?> pgjdbcStatement() {
    try {
      return Class.forName("org.postgresql.PGStatement", false, SqlArray.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return elementType + "[" + elements.length + "]";
  }
}
