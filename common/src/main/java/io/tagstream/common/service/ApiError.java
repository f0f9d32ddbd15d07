package io.tagstream.common.service;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The JSON error body every Tagstream API answers with: {@code {"error": "<reason a person understands>"}}. */
@Schema(name = "Error", description = "Why the request was refused; every 4xx of every Tagstream API has this body")
public record ApiError(
        @Schema(description = "The reason, for a person: what was wrong and, where it helps, what to send instead",
                examples = "no ImagePolicy flux-system/app is configured") String error) {

    public static Response of(Response.Status status, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(reason)).build();
    }
}
