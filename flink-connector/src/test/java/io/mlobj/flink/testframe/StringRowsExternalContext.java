package io.mlobj.flink.testframe;

import java.net.URL;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.testframe.external.ExternalContext;

/**
 * What the source and the sink testframe contexts share: records are strings of {@link
 * io.mlobj.flink.StringRows}, the connector is on the test class path (no jars to ship), and the
 * context holds nothing to close (each test case has its own dataset).
 */
abstract class StringRowsExternalContext implements ExternalContext, ResultTypeQueryable<String> {
  @Override
  public TypeInformation<String> getProducedType() {
    return Types.STRING;
  }

  @Override
  public List<URL> getConnectorJarPaths() {
    return List.of();
  }

  @Override
  public void close() {}
}
