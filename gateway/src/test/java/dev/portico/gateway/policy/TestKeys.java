package dev.portico.gateway.policy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Signing keys made in the test: RSA and EC pairs with their public JWK, and tokens signed with
 * them.
 */
final class TestKeys {

  final String kid;
  final String alg;
  final JsonObject publicJwk;
  private final JWTAuth signer;

  private TestKeys(String kid, String alg, JsonObject publicJwk, JWTAuth signer) {
    this.kid = kid;
    this.alg = alg;
    this.publicJwk = publicJwk;
    this.signer = signer;
  }

  static TestKeys rsa(Vertx vertx, String kid) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();
    RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
    JsonObject jwk =
        new JsonObject()
            .put("kty", "RSA")
            .put("kid", kid)
            .put("use", "sig")
            .put("alg", "RS256")
            .put("n", b64(unsigned(pub.getModulus())))
            .put("e", b64(unsigned(pub.getPublicExponent())));
    return new TestKeys(kid, "RS256", jwk, signer(vertx, pair, "RS256", kid));
  }

  static TestKeys ec(Vertx vertx, String kid) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = g.generateKeyPair();
    ECPublicKey pub = (ECPublicKey) pair.getPublic();
    JsonObject jwk =
        new JsonObject()
            .put("kty", "EC")
            .put("kid", kid)
            .put("crv", "P-256")
            .put("alg", "ES256")
            .put("x", b64(fixed(pub.getW().getAffineX(), 32)))
            .put("y", b64(fixed(pub.getW().getAffineY(), 32)));
    return new TestKeys(kid, "ES256", jwk, signer(vertx, pair, "ES256", kid));
  }

  /** An HMAC key: {@code secret} is the raw key. */
  static TestKeys hmac(Vertx vertx, String kid, byte[] secret) {
    JsonObject jwk = new JsonObject().put("kty", "oct").put("alg", "HS256").put("k", b64(secret));
    if (kid != null) {
      jwk.put("kid", kid);
    }
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addJwk(jwk));
    return new TestKeys(kid, "HS256", jwk, signer);
  }

  private static JWTAuth signer(Vertx vertx, KeyPair pair, String alg, String kid) {
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    return JWTAuth.create(
        vertx,
        new JWTAuthOptions()
            .addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(pem).setId(kid)));
  }

  /** A token with {@code claims} (iat added); exp, nbf, aud, iss as given in the claims. */
  String sign(JsonObject claims) {
    return signer.generateToken(claims.copy(), new JWTOptions().setAlgorithm(alg));
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b[0] == 0 && b.length > 1 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static byte[] fixed(BigInteger v, int length) {
    byte[] b = unsigned(v);
    if (b.length == length) {
      return b;
    }
    byte[] out = new byte[length];
    System.arraycopy(b, 0, out, length - b.length, b.length);
    return out;
  }
}
