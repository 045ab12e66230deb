package io.mlobj.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.arrow.FixedShapeTensorVector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/**
 * The stand-in for {@code train.py} where Python or torch is missing: streams one epoch from the
 * trainer feed over Arrow Flight and fits a nearest-class-mean classifier (a centroid per label),
 * then measures its accuracy on the validation split. Small, but a real consumer of the same stream
 * a PyTorch trainer reads.
 */
final class JavaTrainer {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one epoch produced. */
  record Result(byte[] model, long samples, double seconds, double valAccuracy, long valSamples) {}

  private JavaTrainer() {}

  static Result train(int port, String token, String dataset, long version, int classes)
      throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", port)).build()) {
      CallHeaders headers = new FlightCallHeaders();
      headers.insert("authorization", "Bearer " + token);
      HeaderCallOption auth = new HeaderCallOption(headers);
      int pixels = SyntheticImages.PIXELS;
      double[][] sums = new double[classes][pixels];
      long[] counts = new long[classes];
      long start = System.nanoTime();
      long samples =
          stream(
              client,
              auth,
              request(dataset, version, "train"),
              (image, label, row) -> {
                int offset = row * pixels;
                for (int k = 0; k < pixels; k++) {
                  sums[label][k] += image.get(offset + k);
                }
                counts[label]++;
              });
      double seconds = (System.nanoTime() - start) / 1e9;
      float[][] centroids = new float[classes][pixels];
      for (int c = 0; c < classes; c++) {
        for (int k = 0; k < pixels; k++) {
          centroids[c][k] = counts[c] == 0 ? 0 : (float) (sums[c][k] / counts[c]);
        }
      }
      long[] correct = new long[1];
      long valSamples =
          stream(
              client,
              auth,
              request(dataset, version, "val"),
              (image, label, row) -> {
                int offset = row * pixels;
                int best = 0;
                double bestDistance = Double.MAX_VALUE;
                for (int c = 0; c < classes; c++) {
                  double d = 0;
                  for (int k = 0; k < pixels; k++) {
                    double diff = image.get(offset + k) - centroids[c][k];
                    d += diff * diff;
                  }
                  if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                  }
                }
                if (best == label) {
                  correct[0]++;
                }
              });
      ByteBuffer model = ByteBuffer.allocate(classes * pixels * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float[] centroid : centroids) {
        for (float v : centroid) {
          model.putFloat(v);
        }
      }
      return new Result(
          model.array(),
          samples,
          seconds,
          valSamples == 0 ? 0 : (double) correct[0] / valSamples,
          valSamples);
    }
  }

  private interface SampleSink {
    void accept(Float4Vector images, int label, int row);
  }

  private static String request(String dataset, long version, String split) {
    ObjectNode request = JSON.createObjectNode();
    request.put("dataset", dataset);
    request.put("version", version);
    request.putArray("columns").add("image").add("label");
    request.put("batch_size", 256);
    request.put("shuffle", split.equals("train"));
    request.put("seed", 7);
    request.put("drop_last", false);
    request.set(
        "predicate", JSON.valueToTree(Map.of("op", "eq", "column", "split", "value", split)));
    return request.toString();
  }

  private static long stream(
      FlightClient client, HeaderCallOption auth, String request, SampleSink sink)
      throws Exception {
    long samples = 0;
    try (FlightStream stream =
        client.getStream(new Ticket(request.getBytes(StandardCharsets.UTF_8)), auth)) {
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        FieldVector image = root.getVector("image");
        FixedSizeListVector list =
            image instanceof FixedShapeTensorVector t
                ? t.getUnderlyingVector()
                : (FixedSizeListVector) image;
        Float4Vector values = (Float4Vector) list.getDataVector();
        IntVector labels = (IntVector) root.getVector("label");
        for (int row = 0; row < root.getRowCount(); row++) {
          sink.accept(values, labels.get(row), row);
        }
        samples += root.getRowCount();
      }
    }
    return samples;
  }
}
