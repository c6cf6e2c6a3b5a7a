package dev.portico.gateway.config.internal;

import dev.portico.gateway.openapi.OpenApiDefinition;
import dev.portico.gateway.openapi.OpenApiException;
import dev.portico.gateway.openapi.OpenApiImporter;
import dev.portico.gateway.openapi.OpenApiSource;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/**
 * The binder's access to OpenAPI import ({@code apis[].openapi}): the Vert.x instance the loader
 * runs on, or, for a caller without one (a test binding a document directly), one created on first
 * use and closed with this object, so that a configuration without OpenAPI documents never starts
 * one.
 */
final class OpenApiLoading implements AutoCloseable {

  private final Vertx given;
  private final Path baseDir;
  private Vertx own;

  /**
   * @param vertx the loader's Vert.x, or {@code null}
   * @param baseDir the directory relative document files are read from (the configuration file's)
   */
  public OpenApiLoading(Vertx vertx, Path baseDir) {
    this.given = vertx;
    this.baseDir = baseDir;
  }

  /**
   * The directory a configuration {@code source} (a file path, or the built-in default) resolves
   * documents from.
   */
  public static Path baseDir(String source) {
    Path cwd = Path.of("").toAbsolutePath();
    try {
      Path parent = Path.of(source).toAbsolutePath().getParent();
      return parent == null || source.startsWith("<") ? cwd : parent;
    } catch (RuntimeException e) {
      return cwd;
    }
  }

  /** Blocks: reads and imports the document. */
  OpenApiDefinition load(OpenApiSource source) throws OpenApiException {
    return new OpenApiImporter(vertx(), baseDir).load(source);
  }

  private synchronized Vertx vertx() {
    if (given != null) {
      return given;
    }
    if (own == null) {
      own = Vertx.vertx();
    }
    return own;
  }

  @Override
  public synchronized void close() {
    if (own != null) {
      own.close();
      own = null;
    }
  }
}
