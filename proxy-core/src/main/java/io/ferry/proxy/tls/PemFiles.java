package io.ferry.proxy.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files the ZDM Proxy reads: certificates, and unencrypted private keys in PKCS#8
 * ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC
 * PRIVATE KEY}), the last two being what {@code openssl genrsa} and {@code openssl ecparam -genkey}
 * write. The JDK reads only DER PKCS#8, so the other two are wrapped into PKCS#8 here.
 *
 * <p>Errors are {@link IllegalArgumentException}s whose message says what the file holds instead of
 * what was expected, for an operator to read.
 */
final class PemFiles {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

  // DER of the AlgorithmIdentifier of PKCS#8 RSA keys: rsaEncryption (1.2.840.113549.1.1.1), NULL.
  private static final byte[] RSA_ALGORITHM =
      HexFormat.of().parseHex("300d06092a864886f70d0101010500");
  // DER of the OID id-ecPublicKey (1.2.840.10045.2.1).
  private static final byte[] EC_PUBLIC_KEY_OID = HexFormat.of().parseHex("06072a8648ce3d0201");
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "XDH", "DSA");

  private record Block(String type, byte[] der) {}

  private PemFiles() {}

  /**
   * The certificates of a PEM file, in file order.
   *
   * @throws IllegalArgumentException when the file holds no certificate
   */
  static List<X509Certificate> certificates(Path file) throws IOException {
    List<Block> blocks = blocks(file);
    List<X509Certificate> certificates = new ArrayList<>();
    for (Block block : blocks) {
      if (block.type().equals("CERTIFICATE")) {
        try {
          certificates.add(
              (X509Certificate)
                  CertificateFactory.getInstance("X.509")
                      .generateCertificate(new ByteArrayInputStream(block.der())));
        } catch (CertificateException e) {
          throw new IllegalArgumentException(
              "expected PEM certificates, but a CERTIFICATE block is not an X.509 certificate ("
                  + e.getMessage()
                  + ")");
        }
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          "expected PEM certificates (-----BEGIN CERTIFICATE-----), but " + contents(blocks));
    }
    return certificates;
  }

  /**
   * The private key of a PEM file.
   *
   * @throws IllegalArgumentException when the file holds no unencrypted private key
   */
  static PrivateKey privateKey(Path file) throws IOException {
    List<Block> blocks = blocks(file);
    for (Block block : blocks) {
      byte[] pkcs8 =
          switch (block.type()) {
            case "PRIVATE KEY" -> block.der();
            case "RSA PRIVATE KEY" -> pkcs8(RSA_ALGORITHM, block.der());
            case "EC PRIVATE KEY" -> pkcs8(ecAlgorithm(block.der()), block.der());
            case "ENCRYPTED PRIVATE KEY" ->
                throw new IllegalArgumentException(
                    "expected an unencrypted private key, but it is encrypted (Ferry, like the ZDM"
                        + " Proxy, takes no key password): decrypt it with"
                        + " `openssl pkcs8 -in KEY -out KEY.plain`");
            default -> null;
          };
      if (pkcs8 != null) {
        return decode(pkcs8, block.type());
      }
    }
    throw new IllegalArgumentException(
        "expected a PEM private key (-----BEGIN PRIVATE KEY-----), but " + contents(blocks));
  }

  private static List<Block> blocks(Path file) throws IOException {
    // ISO-8859-1 maps every byte, so a binary (DER) file is read too, and reported as such.
    String text = Files.readString(file, StandardCharsets.ISO_8859_1);
    List<Block> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(text);
    while (matcher.find()) {
      try {
        blocks.add(new Block(matcher.group(1), Base64.getMimeDecoder().decode(matcher.group(2))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "expected PEM, but the " + matcher.group(1) + " block is not valid base64");
      }
    }
    return blocks;
  }

  private static String contents(List<Block> blocks) {
    if (blocks.isEmpty()) {
      return "the file has no PEM block (-----BEGIN ...-----); if it is DER, convert it with"
          + " `openssl x509 -inform der` or `openssl pkcs8 -inform der`";
    }
    List<String> types = blocks.stream().map(Block::type).distinct().toList();
    if (types.stream().anyMatch(type -> type.endsWith("PRIVATE KEY"))
        && !types.contains("CERTIFICATE")) {
      return "the file holds a private key (are the certificate and key paths swapped?)";
    }
    if (types.equals(List.of("CERTIFICATE"))) {
      return "the file holds certificates only (are the certificate and key paths swapped?)";
    }
    return "the file holds " + String.join(", ", types);
  }

  private static PrivateKey decode(byte[] pkcs8, String type) {
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException e) {
        // Not a key of this algorithm: try the next.
      }
    }
    throw new IllegalArgumentException(
        "expected an RSA, EC or EdDSA private key, but the " + type + " block is none of them");
  }

  /** The AlgorithmIdentifier of a SEC1 EC key: id-ecPublicKey and the key's named curve. */
  private static byte[] ecAlgorithm(byte[] sec1) {
    // ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] curve OID, [1] public key }
    Der sequence = Der.read(sec1, 0);
    for (int offset = sequence.contentStart(); offset < sequence.end(); ) {
      Der field = Der.read(sec1, offset);
      if (field.tag() == 0xA0 && Der.read(sec1, field.contentStart()).tag() == 0x06) {
        // [0] holds the curve's OID, whole (tag, length, value).
        return Der.sequence(
            EC_PUBLIC_KEY_OID, Arrays.copyOfRange(sec1, field.contentStart(), field.end()));
      }
      offset = field.end();
    }
    throw new IllegalArgumentException(
        "expected an EC private key that names its curve, but this EC PRIVATE KEY does not:"
            + " convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`");
  }

  /** PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, privateKey OCTET STRING }. */
  private static byte[] pkcs8(byte[] algorithm, byte[] key) {
    return Der.sequence(new byte[] {0x02, 0x01, 0x00}, algorithm, Der.encode(0x04, key));
  }

  /** Just enough DER for the key wrapping above: one element's tag and bounds, and encoding. */
  private record Der(int tag, int contentStart, int end) {

    static Der read(byte[] der, int offset) {
      if (offset + 2 > der.length) {
        throw malformed();
      }
      int tag = der[offset] & 0xFF;
      int first = der[offset + 1] & 0xFF;
      int length;
      int contentStart;
      if (first < 0x80) {
        length = first;
        contentStart = offset + 2;
      } else {
        int lengthBytes = first & 0x7F;
        if (lengthBytes == 0 || lengthBytes > 3 || offset + 2 + lengthBytes > der.length) {
          throw malformed();
        }
        length = 0;
        for (int i = 0; i < lengthBytes; i++) {
          length = (length << 8) | (der[offset + 2 + i] & 0xFF);
        }
        contentStart = offset + 2 + lengthBytes;
      }
      if (contentStart + length > der.length) {
        throw malformed();
      }
      return new Der(tag, contentStart, contentStart + length);
    }

    static byte[] sequence(byte[]... elements) {
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      for (byte[] element : elements) {
        content.writeBytes(element);
      }
      return encode(0x30, content.toByteArray());
    }

    static byte[] encode(int tag, byte[] content) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(tag);
      int length = content.length;
      if (length < 0x80) {
        out.write(length);
      } else if (length < 0x100) {
        out.write(0x81);
        out.write(length);
      } else if (length < 0x10000) {
        out.write(0x82);
        out.write(length >> 8);
        out.write(length);
      } else {
        out.write(0x83);
        out.write(length >> 16);
        out.write(length >> 8);
        out.write(length);
      }
      out.writeBytes(content);
      return out.toByteArray();
    }

    private static IllegalArgumentException malformed() {
      return new IllegalArgumentException(
          "expected a private key, but its DER encoding is malformed");
    }
  }
}
