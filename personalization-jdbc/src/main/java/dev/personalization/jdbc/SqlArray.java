package dev.personalization.jdbc;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.StatementContext;

/** Binds a Java array as one SQL array parameter of a named element type (PostgreSQL). */
final class SqlArray implements Argument {

  private final String elementType;
  private final Object[] elements;

  SqlArray(String elementType, Object[] elements) {
    this.elementType = elementType;
    this.elements = elements;
  }

  @Override
  public void apply(int position, PreparedStatement statement, StatementContext ctx) throws SQLException {
    Array array = statement.getConnection().createArrayOf(elementType, elements);
    statement.setArray(position, array);
  }

  @Override
  public String toString() {
    return elementType + "[" + elements.length + "]";
  }
}
