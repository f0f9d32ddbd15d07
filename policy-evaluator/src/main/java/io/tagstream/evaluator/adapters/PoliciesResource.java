package io.tagstream.evaluator.adapters;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tagstream.common.events.Json;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import io.tagstream.common.policy.InvalidPolicyException;
import io.tagstream.common.service.ApiError;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.common.config.ImagePolicy;
import java.util.Map;
import io.tagstream.evaluator.core.TagFacts;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.ResourceId;
import io.tagstream.evaluator.core.Budget;
import io.tagstream.evaluator.core.Evaluation;
import io.tagstream.evaluator.core.NewestPolicy;
import io.tagstream.evaluator.core.OrderTimes;
import io.tagstream.evaluator.core.Selections;
import io.tagstream.evaluator.core.PolicyStatus;
import io.tagstream.evaluator.core.Selector;
import io.tagstream.evaluator.core.Skips;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Policy status, and the dry run Flux users lack: evaluate a policy against any tags, or a configured policy against
 * the tags known for its repository, and see what would be selected and why each other tag was not.
 */
@Path("/api/v1/policies")
@Produces(MediaType.APPLICATION_JSON)
public class PoliciesResource {

    @Inject
    EvaluationRunner evaluator;

    @Inject
    ConfigWatch config;

    /** The blocks of an ImagePolicy spec, as JSON. */
    public record EvaluateRequest(PolicyBlock policy, FilterBlock filterTags, List<String> tags) {}

    /** A dry run evaluates what is sent, so what is sent is bounded (a repository's real listing is far smaller). */
    static final int MAX_DRY_RUN_TAGS = 100_000;

    /** How long one dry run may compute before it answers 422 with the reason. */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "tagstream.evaluator.dry-run-budget", defaultValue = "2s")
    java.time.Duration dryRunBudget;

    public record PolicyBlock(SemverBlock semver, OrderBlock numerical, OrderBlock alphabetical, NewestBlock newest) {}

    /** Our {@code newest} rule; a dry run of it needs a configured policy, whose repository's tags have times. */
    public record NewestBlock(String by) {}

    public record SemverBlock(String range, Boolean coerce) {}

    public record OrderBlock(String order) {}

    public record FilterBlock(String pattern, String extract) {}

    /** @param ranked a {@code newest} policy's newest candidates, newest first, each with the time it is ordered by */
    public record EvaluateResponse(String latestTag, int candidates, List<Skips.Skipped> skipped, int skippedTotal,
            List<NewestPolicy.Ranked> ranked, Optional<String> image, Optional<String> digest) {}

    /** For a configured policy's dry run: its image, and the digests of its repository's known tags. */
    private record Known(Optional<String> image, Map<String, TagFacts> facts) {
        static final Known NONE = new Known(Optional.empty(), Map.of());
    }

    public record EvaluateError(String error, List<Skips.Skipped> skipped, int skippedTotal) {}

    @GET
    @Operation(operationId = "listPolicies", summary = "Every ImagePolicy: the tag it selects now, from which repository,"
            + " and why it selects none")
    @APIResponse(responseCode = "200", description = "One entry per configured policy; one that is not ready (its"
            + " ImageRepository is missing) has the reason in lastError")
    public List<PolicyStatus> list() {
        List<PolicyStatus> out = new java.util.ArrayList<>(evaluator.selections().status());
        // a policy whose ImageRepository is missing is not in force; listed, as Flux shows it not Ready, with why
        config.notReady().stream().filter(n -> n.kind().equals("ImagePolicy")).forEach(n -> out.add(new PolicyStatus(
                n.id().toString(), "", Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 0, 0,
                Optional.of(n.reason()), Optional.empty(), false)));
        return out;
    }

    @POST
    @Path("/evaluate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "evaluatePolicy", summary = "Dry run: the tag a policy (the blocks of an ImagePolicy spec)"
            + " would select from the tags sent, and why each other tag was not")
    @APIResponse(responseCode = "200", description = "The tag selected",
            content = @Content(schema = @Schema(implementation = EvaluateResponse.class)))
    @APIResponse(responseCode = "400", description = "No policy block, no tags, a null tag, or more than 100,000 tags")
    @APIResponse(responseCode = "422", description = "The policy is invalid (a bad range or pattern), selects no tag, or"
            + " took longer than the dry-run budget", content = @Content(schema = @Schema(implementation = EvaluateError.class)))
    public Response evaluate(EvaluateRequest req) {
        if (req == null || req.policy() == null) {
            return ApiError.of(Response.Status.BAD_REQUEST, "body must have a policy block: {\"policy\": {\"semver\": "
                    + "{\"range\": \">=1.0.0\"}}, \"tags\": [...]}");
        }
        if (req.tags() == null) {
            return ApiError.of(Response.Status.BAD_REQUEST, "body must list the tags to evaluate in \"tags\"");
        }
        if (req.tags().size() > MAX_DRY_RUN_TAGS) {
            return ApiError.of(Response.Status.BAD_REQUEST, "at most " + MAX_DRY_RUN_TAGS + " tags per dry run; " + req.tags().size()
                    + " given");
        }
        int missing = req.tags().indexOf(null);
        if (missing >= 0) {
            return ApiError.of(Response.Status.BAD_REQUEST, "tags[" + missing + "] is null; every tag must be a string");
        }
        return runRule(req, req.tags(), Known.NONE);
    }

    /** A dry run of the rule a request carries (its policy and filterTags blocks) over these tags. */
    private Response runRule(EvaluateRequest req, Collection<String> tags, Known known) {
        ImagePolicy.TagOrder order;
        try {
            order = order(req.policy());
        } catch (InvalidPolicyException e) {
            return unprocessable(e.getMessage(), Optional.empty());
        }
        Optional<ImagePolicy.FilterTags> filter = Optional.ofNullable(req.filterTags())
                .map(f -> new ImagePolicy.FilterTags(f.pattern() == null ? "" : f.pattern(), f.extract() == null ? "" : f.extract()));
        return run(order, filter, tags, OrderTimes.NONE, known);
    }

    @POST
    @Path("/{ns}/{name}/evaluate")
    @Operation(operationId = "evaluateConfiguredPolicy", summary = "Dry run of a configured ImagePolicy over the tags known"
            + " for its repository; with a body ({\"policy\": …, \"filterTags\": …}), of that new rule instead (nothing changes)")
    @APIResponse(responseCode = "200", description = "The tag selected",
            content = @Content(schema = @Schema(implementation = EvaluateResponse.class)))
    @APIResponse(responseCode = "404", description = "No such ImagePolicy is configured, or it is not ready (the reason"
            + " says what is missing)")
    @APIResponse(responseCode = "422", description = "The policy selects no tag from its repository's tags, or took longer"
            + " than the dry-run budget", content = @Content(schema = @Schema(implementation = EvaluateError.class)))
    public Response evaluateConfigured(@PathParam("ns") String ns, @PathParam("name") String name, String body) {
        ResourceId id = new ResourceId(ns, name);
        Optional<ImagePolicy> p = config.config().find(ImagePolicy.class, id);
        if (p.isEmpty()) {
            return ApiError.of(Response.Status.NOT_FOUND, config.notReady().stream()
                    .filter(n -> n.kind().equals("ImagePolicy") && n.id().equals(id)).findFirst()
                    .map(n -> "ImagePolicy " + id + " is not ready: " + n.reason())
                    .orElse("no ImagePolicy " + id + " is configured"));
        }
        var tags = evaluator.selections().tagsOf(p.get().imageRepositoryRef().toString(), config.config());
        Known known = new Known(config.config().find(ImageRepository.class, p.get().imageRepositoryRef()).map(ImageRepository::image), tags);
        EvaluateRequest rule = null;
        if (body != null && !body.isBlank()) {
            try {
                rule = Json.mapper().readValue(body, EvaluateRequest.class);
            } catch (IOException e) {
                return ApiError.of(Response.Status.BAD_REQUEST, "the body is not a rule: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
            }
        }
        if (rule == null || rule.policy() == null) {
            return run(p.get().policy(), p.get().filterTags(), tags.keySet(), Selections.timesOf(p.get(), tags), known);
        }
        // a new rule tried against the tags this policy's repository already has (the console's dry run)
        if (rule.tags() != null) {
            return ApiError.of(Response.Status.BAD_REQUEST, "a configured policy's dry run uses its repository's known tags;"
                    + " send tags to POST /api/v1/policies/evaluate instead");
        }
        return runRule(rule, tags.keySet(), known);
    }

    private Response run(ImagePolicy.TagOrder order, Optional<ImagePolicy.FilterTags> filter, Collection<String> tags,
            OrderTimes times, Known known) {
        Evaluation e;
        try {
            e = Selector.of(order, filter).evaluate(tags, Selector.DEFAULT_SKIP_CAP, Budget.of(dryRunBudget, System::nanoTime),
                    times);
        } catch (InvalidPolicyException ex) {
            return unprocessable(ex.getMessage(), Optional.empty());
        }
        if (e.latestTag().isEmpty()) {
            return unprocessable(e.error().orElse("no tag selected"), Optional.of(e));
        }
        return Response.ok(new EvaluateResponse(e.latestTag().get(), e.candidates(), e.skipped(), e.skippedTotal(), e.ranked(),
                known.image(), Optional.ofNullable(known.facts().get(e.latestTag().get())).map(TagFacts::digest))).build();
    }

    private static Response unprocessable(String error, Optional<Evaluation> e) {
        return Response.status(422).type(MediaType.APPLICATION_JSON)
                .entity(new EvaluateError(error, e.map(Evaluation::skipped).orElse(List.of()), e.map(Evaluation::skippedTotal).orElse(0)))
                .build();
    }

    private static ImagePolicy.TagOrder order(PolicyBlock p) throws InvalidPolicyException {
        int given = (p.semver() != null ? 1 : 0) + (p.numerical() != null ? 1 : 0) + (p.alphabetical() != null ? 1 : 0)
                + (p.newest() != null ? 1 : 0);
        if (given != 1) {
            throw new InvalidPolicyException("policy must have exactly one of semver, numerical, alphabetical, newest");
        }
        if (p.newest() != null) {
            throw new InvalidPolicyException("policy.newest orders tags by when they were pushed or built, which tags sent"
                    + " in a request do not have: dry-run a configured ImagePolicy instead (POST /api/v1/policies/{ns}/{name}/evaluate)");
        }
        if (p.semver() != null) {
            if (p.semver().range() == null) {
                throw new InvalidPolicyException("policy.semver.range is required");
            }
            return new ImagePolicy.Semver(p.semver().range(), Boolean.TRUE.equals(p.semver().coerce()));
        }
        OrderBlock o = p.numerical() != null ? p.numerical() : p.alphabetical();
        String value = o.order() == null ? "asc" : o.order().toLowerCase(Locale.ROOT);
        ImagePolicy.Order order = switch (value) {
            case "asc" -> ImagePolicy.Order.ASC;
            case "desc" -> ImagePolicy.Order.DESC;
            default -> throw new InvalidPolicyException("order '" + o.order() + "' is not asc or desc");
        };
        return p.numerical() != null ? new ImagePolicy.Numerical(order) : new ImagePolicy.Alphabetical(order);
    }
}
