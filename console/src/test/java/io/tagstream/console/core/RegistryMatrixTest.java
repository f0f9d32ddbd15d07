package io.tagstream.console.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistryMatrixTest {

    @ParameterizedTest(name = "{0} is on {1}")
    @CsvSource({
            "nginx, docker.io",
            "library/nginx, docker.io",
            "tazlab/blog, docker.io",
            "ghcr.io/tazlab/blog, ghcr.io",
            "127.0.0.1:5000/fleet/app, 127.0.0.1:5000",
            "localhost/app, localhost",
            "registry-1.docker.io/library/nginx, docker.io",
            "Index.Docker.io/tazlab/blog, docker.io",
            "registry:5000/app, registry:5000",
            "qe.azurecr.io/mecipol/api, qe.azurecr.io"})
    void hostAsDistributionNamesIt(String image, String host) {
        assertEquals(host, RegistryMatrix.host(image));
    }

    static RegistryMatrix.Repository repo(String id, String host, String lastScan, String error) {
        return new RegistryMatrix.Repository(id, host + "/" + id, host, Optional.ofNullable(lastScan).map(Instant::parse), 3, List.of("1.0.0"),
                Optional.ofNullable(error), Optional.empty(), false, Optional.empty());
    }

    @Test
    void hostsByNameFailingFirstWithTheirLabelAndLatestScan() {
        var hosts = RegistryMatrix.of(List.of(
                repo("b", "qe.azurecr.io", "2026-12-07T10:00:00Z", null),
                repo("a", "qe.azurecr.io", "2026-12-07T10:05:00Z", null),
                repo("z", "qe.azurecr.io", null, "401 Unauthorized"),
                repo("p", "prod.azurecr.io", null, null)), Map.of("qe.azurecr.io", "QE"),
                Map.of("qe.azurecr.io", new RegistryMatrix.Load(120, 3, 2, 40)));
        assertEquals(List.of("prod.azurecr.io", "qe.azurecr.io"), hosts.stream().map(RegistryMatrix.Host::host).toList());
        var qe = hosts.get(1);
        assertEquals(List.of("z", "a", "b"), qe.repositories().stream().map(RegistryMatrix.Repository::id).toList());
        assertEquals(1, qe.failing());
        assertEquals(Optional.of("QE"), qe.trust());
        assertEquals(Optional.of(Instant.parse("2026-12-07T10:05:00Z")), qe.lastScan());
        assertEquals(Optional.empty(), hosts.get(0).trust());
        assertEquals(Optional.empty(), hosts.get(0).lastScan());
        assertEquals(Optional.of(new RegistryMatrix.Load(120, 3, 2, 40)), qe.load());
        assertEquals(Optional.empty(), hosts.get(0).load());
    }

    @Test
    void labelsAreHostEqualsLabelOrRefusedWithTheirPosition() {
        assertEquals(Map.of("qe.azurecr.io", "QE", "prod.azurecr.io", "prod"), RegistryMatrix.labels(" qe.azurecr.io=QE, prod.azurecr.io = prod ,"));
        assertEquals(Map.of(), RegistryMatrix.labels(""));
        var e = assertThrows(IllegalArgumentException.class, () -> RegistryMatrix.labels("qe.azurecr.io=QE,prod.azurecr.io"));
        assertEquals("registry label 2 'prod.azurecr.io' is not host=label (e.g. qe.azurecr.io=QE,prod.azurecr.io=prod)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RegistryMatrix.labels("=QE"));
        assertThrows(IllegalArgumentException.class, () -> RegistryMatrix.labels("host="));
    }
}
