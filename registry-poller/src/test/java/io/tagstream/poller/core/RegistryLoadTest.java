package io.tagstream.poller.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.registry.RegistryClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryLoadTest {

    @Test
    void clientsOfOneRegistryAddUpAndDockerHubsApiHostIsDockerIo() {
        var loads = RegistryLoad.of(List.of(
                Map.entry("qe.azurecr.io", new RegistryClient.Stats(Map.of(200, 90L, 404, 4L, 429, 2L), 3, 10, 1)),
                Map.entry("qe.azurecr.io", new RegistryClient.Stats(Map.of(200, 10L, 500, 1L), 1, 0, 1)),
                Map.entry("registry-1.docker.io", new RegistryClient.Stats(Map.of(200, 5L), 0, 7, 1)),
                Map.entry("127.0.0.1:5000", new RegistryClient.Stats(Map.of(), 0, 0, 0))));
        assertEquals(List.of(new RegistryLoad("127.0.0.1:5000", 0, 0, 0, 0), new RegistryLoad("docker.io", 5, 0, 0, 7),
                new RegistryLoad("qe.azurecr.io", 107, 7, 4, 10)), loads);
    }
}
