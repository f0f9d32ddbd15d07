package io.tagstream.common.service;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The JSON error body every Tagstream API answers with: {@code {"error": "<reason a person understands>"}}; its OpenAPI
 * schema, {@code Error}, is given by {@link ApiDocs}.
 */
public record ApiError(String error) {

    public static Response of(Response.Status status, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(reason)).build();
    }
}
