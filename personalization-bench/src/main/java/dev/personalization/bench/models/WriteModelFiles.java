package dev.personalization.bench.models;

import dev.personalization.inference.StandardRankingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the shipped ranking model's three variants (FP32, static and dynamic INT8) for the given
 * item columns (default {@link StandardRankingModel#SHIPPED_ITEM_COLUMNS}) into a directory. A
 * command, so it lives here rather than in the library, which prints nothing.
 *
 * <pre>java -cp personalization-bench/target/benchmarks.jar dev.personalization.bench.models.WriteModelFiles OUT_DIR [item_column ...]</pre>
 */
public final class WriteModelFiles {

  private WriteModelFiles() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: WriteModelFiles OUT_DIR [item_column ...]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    List<String> items = args.length > 1
        ? List.of(Arrays.copyOfRange(args, 1, args.length)) : StandardRankingModel.SHIPPED_ITEM_COLUMNS;
    List<String> columns = StandardRankingModel.standardColumns(items);
    Files.createDirectories(dir);
    for (StandardRankingModel.Variant v : StandardRankingModel.Variant.values()) {
      Path file = dir.resolve(v.fileName());
      Files.write(file, StandardRankingModel.generate(columns, v));
      System.out.println("wrote " + file + " (" + Files.size(file) + " bytes, " + columns.size() + " columns)");
    }
  }
}
