package io.slotwise.operator.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The readiness probe the simulated kubelet runs: {@code AUTH} (when the pod has a password) and
 * {@code PING} over a plain socket, ready only on {@code +PONG}. Kept free of the engine's Redis
 * client so a probe costs one short connection and no threads.
 */
final class ReadinessProbe {
  private static final int TIMEOUT_MILLIS = 500;

  private ReadinessProbe() {}

  static boolean ready(String host, int port, char[] password) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      s.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      if (password != null) {
        byte[] pw = new String(password).getBytes(StandardCharsets.UTF_8);
        out.write(
            ("*2\r\n$4\r\nAUTH\r\n$" + pw.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(pw);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (password != null && !line(in).equals("+OK")) {
        return false;
      }
      return line(in).equals("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        sb.append((char) c);
      }
      if (sb.length() > 512) {
        break;
      }
    }
    return sb.toString();
  }
}
