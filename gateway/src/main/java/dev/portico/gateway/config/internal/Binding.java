package dev.portico.gateway.config.internal;

import dev.portico.discovery.HttpUrl;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.Listeners;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What every part of the configuration's binding shares: the problems found so far, the named
 * values and certificates (bound first: the other sections refer to them), the section reader
 * (schema defaults, then Jackson, durations checked there), and the checks several sections apply
 * (URLs, and whether they would loop back into this gateway). One part per concern extends it.
 */
abstract class Binding {

  static final Pattern SERVICE_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$");

  final Problems problems;
  final Map<String, String> env;
  final LocalAddresses localAddresses;
  final NamedValues namedValues;
  final Certificates certificates;

  /** Sections that bind onto their records declaratively: the schema's defaults, then Jackson. */
  final SectionReader sections;

  Binding(Problems problems, Map<String, String> env, LocalAddresses localAddresses) {
    this.problems = problems;
    this.env = env;
    this.localAddresses = localAddresses;
    this.namedValues = new NamedValues(problems, env);
    this.certificates = new Certificates(problems, namedValues);
    this.sections = new SectionReader(ConfigSchema.TREE, problems);
  }

  /** A part sharing {@code parent}'s state. */
  Binding(Binding parent) {
    this.problems = parent.problems;
    this.env = parent.env;
    this.localAddresses = parent.localAddresses;
    this.namedValues = parent.namedValues;
    this.certificates = parent.certificates;
    this.sections = parent.sections;
  }

  BackendTarget.FixedUrl absoluteUrl(String at, String url) {
    HttpUrl u;
    try {
      u = HttpUrl.parse(url);
    } catch (IllegalArgumentException e) {
      problem(
          at,
          e.getMessage().equals("URL carries user info")
              ? "URL carries user info; put credentials in the backend's 'credentials' block"
              : "malformed URL '" + url + "': " + e.getMessage());
      return null;
    }
    if (u.query() != null || u.fragment() != null) {
      problem(
          at, "a base URL takes no query or fragment; use credentials.query for query parameters");
      return null;
    }
    return new BackendTarget.FixedUrl(url, u);
  }

  /**
   * Whether {@code url} is this gateway's own traffic listener; if so, says so at {@code at}
   * (requests sent there would loop back into the gateway).
   */
  boolean loopsBack(String at, BackendTarget.FixedUrl url, Listeners listeners) {
    if (!pointsAtSelf(url, listeners)) {
      return false;
    }
    problem(
        at,
        "points at this gateway's own traffic listener ("
            + url.authority()
            + "); requests would loop back into the gateway");
    return true;
  }

  private boolean pointsAtSelf(BackendTarget.FixedUrl url, Listeners listeners) {
    Listeners.Listener traffic = listeners.traffic();
    if (traffic.port() == 0 || url.port() != traffic.port()) {
      return false;
    }
    String bound = traffic.host();
    boolean wildcard = bound.equals("0.0.0.0") || bound.equals("::") || bound.equals("[::]");
    if (url.host().equalsIgnoreCase(bound)) {
      return true;
    }
    return localAddresses.isLocal(url.host()) && (wildcard || localAddresses.isLocal(bound));
  }

  void problem(String path, String reason) {
    problems.add(path, reason);
  }
}
