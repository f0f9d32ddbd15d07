package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.access.Role;
import io.tagstream.launcher.Chain;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.IdentityProvider;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.OidcServer;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's chromium, driven by its chromedriver through Selenium) in front of the whole
 * chain as processes, access control on (API tokens), MECIPOL's shape: a QE registry posting webhooks, a manual
 * ImagePromotion into a prod registry, a semver {@code >=900.0.0} policy there and a fleet repository in a git
 * daemon. An approver signs in, sees a push become a pending promotion without reloading the page, approves it with
 * the button, and sees the copy and the commit arrive in the live feed; a viewer's approval is refused with the
 * promoter's 403. Screenshots of every page go to {@code target/console-screenshots} (docs/console holds a set).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    static final String FLEET = "fleet";
    static final String FILE = "apps/portal/deployment.yaml";
    static final String TOKEN = "qe-hook-token";
    static final Path SHOTS = Path.of("target/console-screenshots");

    static LocalRegistry qe;
    static LocalRegistry prod;
    static GitServer git;
    static Chain chain;
    static Map<String, String> tokens;
    static IdentityProvider idp;
    static OidcServer oidc;
    static WebDriver browser;
    static String console;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver")),
                "the console's browser tests need Debian's chromium and chromium-driver (./tagstream test installs them)");
        int pollerPort = Ports.free();
        String hooks = "http://127.0.0.1:" + pollerPort + "/api/v1/webhooks/distribution/";
        qe = LocalRegistry.builder().notify(hooks + "flux-system/qe-registry", Map.of("Authorization", "Bearer " + TOKEN)).start();
        prod = LocalRegistry.start();
        TestImages.Pushed first = TestImages.push(qe, "portal", "900.0.0");
        prod.skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests",
                "docker://" + first.reference(), "docker://" + prod.host() + "/prod/portal:900.0.0");

        git = GitServer.start();
        git.createBare(FLEET, "main");
        git.commit(FLEET, "main", Map.of(FILE, E2e.deployment("portal", prod.host() + "/prod/portal:900.0.0", "flux-system:portal-prod")),
                "seed", "alice");

        Path root = WorkDirs.create("console-browser");
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("mecipol.yaml"), """
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: qe, namespace: flux-system}
                spec: {host: '%1$s', insecure: true}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: prod, namespace: flux-system}
                spec: {host: '%2$s', insecure: true}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: portal-qe, namespace: flux-system}
                spec: {image: '%1$s/portal', interval: 1h}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: portal-prod, namespace: flux-system}
                spec: {image: '%2$s/prod/portal', interval: 1h}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: portal-qe, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: portal-qe}
                  policy: {semver: {range: '>=900.0.0'}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: portal-prod, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: portal-prod}
                  policy: {semver: {range: '>=900.0.0'}}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImagePromotion
                metadata: {name: portal-to-prod, namespace: flux-system}
                spec:
                  sourcePolicyRef: {name: portal-qe}
                  target: {image: '%2$s/prod/portal', tags: ['{{tag}}']}
                  approval: {mode: manual, deadline: 72h}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: qe-registry, namespace: flux-system}
                spec:
                  type: distribution
                  secretRef: {name: webhook-token}
                  resources: [{kind: ImageRepository, name: portal-qe}]
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: fleet, namespace: flux-system}
                spec: {url: '%3$s', ref: {branch: main}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: fleet, namespace: flux-system}
                spec:
                  sourceRef: {kind: GitRepository, name: fleet}
                  git:
                    checkout: {ref: {branch: main}}
                    commit: {author: {name: flux-bot, email: flux@example.com}}
                    push: {branch: main}
                  update: {path: ./apps, strategy: Setters}
                """.formatted(qe.host(), prod.host(), git.url(FLEET)));
        E2e.secret(root.resolve("secrets"), "flux-system", "webhook-token", "token", TOKEN);
        tokens = IdentityProvider.apiTokens(root.resolve("secrets"), "tagstream-system", "api-tokens", Map.of(
                "qe-lead", Set.of(Role.APPROVER), "ops", Set.of(Role.VIEWER), "admin", Set.of(Role.ADMIN)));
        // people sign in with the organisation's identity provider (OIDC, authorization code + PKCE) or paste a token
        idp = IdentityProvider.create(root.resolve("idp"));
        oidc = OidcServer.start(idp, "tagstream-console", "console-client-secret");
        E2e.secret(root.resolve("secrets"), "tagstream-system", "console-oidc", "clientSecret", "console-client-secret");
        Map<String, String> env = new LinkedHashMap<>();
        idp.properties().forEach((k, v) -> env.put(k.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), v));
        env.put("TAGSTREAM_CONSOLE_OIDC_DISCOVERY_URL", oidc.discoveryUrl());
        env.put("TAGSTREAM_CONSOLE_OIDC_CLIENT_ID", "tagstream-console");
        env.put("TAGSTREAM_CONSOLE_OIDC_CLIENT_SECRET", "tagstream-system/console-oidc");
        env.put("TAGSTREAM_AUTH_TOKENS_SECRET", "tagstream-system/api-tokens");
        env.put("TAGSTREAM_SECRETS_DIR", root.resolve("secrets").toString());
        env.put("TAGSTREAM_GIT_WORKDIR", root.resolve("clones").toString());
        env.put("TAGSTREAM_CONSOLE_REGISTRY_LABELS", qe.host() + "=QE," + prod.host() + "=prod");
        Map<String, Integer> ports = E2e.ports(pollerPort);
        ports.put("console", Ports.free());
        chain = Chain.start(new Chain.Options(Path.of("..").toAbsolutePath().normalize(), config, root.resolve("run"),
                Optional.of(KafkaBroker.shared().bootstrapServers()), 0, ports, env,
                Chain.WITH_CONSOLE.stream().map(Chain.Service::name).toList()));
        chain.awaitHealthy(Duration.ofSeconds(120));
        console = chain.url("console") + "/";
        for (String repo : List.of("flux-system/portal-qe", "flux-system/portal-prod")) {
            E2e.post(chain.url("registry-poller") + "/api/v1/repositories/" + repo + "/scan", "", bearer(tokens.get("admin")));
        }
        E2e.await("first scans", Duration.ofSeconds(60), () -> StreamSupport.stream(
                read("registry-poller", "/api/v1/repositories").spliterator(), false).allMatch(r -> r.hasNonNull("lastScan")));
        // 900.0.0 is already in prod and in git: its promotion waits like any other; reject it so the page starts empty
        E2e.await("the promotion of 900.0.0", Duration.ofSeconds(60), () -> pending().size() == 1);
        E2e.post(chain.url("promoter") + "/api/v1/promotions/" + pending().get(0).path("id").asText() + "/reject",
                "{\"comment\": \"already in prod\"}", bearer(tokens.get("qe-lead")));
        E2e.await("no pending promotion", Duration.ofSeconds(30), () -> pending().isEmpty());

        browser = browser(root.resolve("chromium"));
    }

    static WebDriver browser(Path profile) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        // as root, without a sandbox; the background-networking flags keep Chromium off the closed network
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1366,860",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        E2e.closeAll(chain, git, qe, prod, oidc);
    }

    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    static JsonNode read(String service, String path) {
        return E2e.json(E2e.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(chain.url(service) + path))
                .header("Authorization", "Bearer " + tokens.get("ops")).build()).body());
    }

    static List<JsonNode> pending() {
        return StreamSupport.stream(read("promoter", "/api/v1/promotions?state=pending").spliterator(), false).toList();
    }

    /** Whether a check holds; a command that fails (not there yet) is a no. */
    static boolean succeeds(java.util.function.BooleanSupplier check) {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException | AssertionError e) {
            return false;
        }
    }

    /**
     * Does something to an element found afresh each try: the page re-renders as the chain's events arrive, so an
     * element found a moment ago may have been replaced (as a person would simply click again).
     */
    static void retrying(Runnable action) {
        for (int i = 0; ; i++) {
            try {
                action.run();
                return;
            } catch (StaleElementReferenceException e) {
                if (i == 20) {
                    throw e;
                }
                Chain.sleep(100);
            }
        }
    }

    static WebDriverWait waiting(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    static void signIn(String token) {
        browser.get(console);
        WebElement field = waiting(20).until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        field.sendKeys(token);
        browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();
        waiting(20).until(ExpectedConditions.visibilityOfElementLocated(By.id("me-name")));
    }

    static void open(String page) {
        browser.findElement(By.cssSelector("nav a[data-page=" + page + "]")).click();
        waiting(20).until(ExpectedConditions.attributeToBe(By.cssSelector("nav a[data-page=" + page + "]"), "aria-current", "page"));
        waiting(20).until(d -> !d.findElement(By.id("page")).getText().isBlank());
    }

    static void screenshot(String name) {
        try {
            Files.createDirectories(SHOTS);
            Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Order(1)
    void signInIsRequiredAndAForgedTokenIsRefused() {
        browser.get(console);
        waiting(20).until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        screenshot("login");
        browser.findElement(By.id("token")).sendKeys("tst_not-a-token");
        browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "refused"));
        assertTrue(browser.findElement(By.id("nav")).getAttribute("hidden") != null, "no page without a valid token");
    }

    @Test
    @Order(2)
    void anApproverSeesAPushBecomeAPendingPromotionLiveApprovesItAndSeesTheCopyAndTheCommit() {
        signIn(tokens.get("qe-lead"));
        assertEquals("token:qe-lead · approver", browser.findElement(By.id("me-name")).getText());
        open("promotions");
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.id("page"), "Nothing waits for a decision"));
        // a marker that survives only as long as the page is not reloaded
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");

        TestImages.Pushed pushed = TestImages.push(qe, "portal", "901.0.0");
        long pushedAt = System.nanoTime();
        waiting(60).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-promotion]"), "portal:901.0.0"));
        System.out.printf("console: push → pending promotion on the page in %d ms%n", (System.nanoTime() - pushedAt) / 1_000_000);
        String card = browser.findElement(By.cssSelector("[data-promotion]")).getText();
        assertTrue(card.contains("flux-system/portal-to-prod"), card);
        assertTrue(card.contains("Waits for: no approval yet"), card);
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;"),
                "the promotion appeared without a reload");
        assertEquals("1", browser.findElement(By.id("pending-count")).getText());
        screenshot("promotions");

        // typing in the comment holds off live refreshes of the page (a form being filled in is never replaced)
        retrying(() -> browser.findElement(By.cssSelector("[data-promotion] input")).sendKeys("QE passed, ticket QE-1234"));
        long clickedAt = System.nanoTime();
        retrying(() -> browser.findElement(By.xpath("//*[@data-promotion]//button[text()='Approve']")).click());
        waiting(30).until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"),
                "Approved flux-system/portal-to-prod " + qe.host() + "/portal:901.0.0: APPROVED by token:qe-lead"));

        // the copy is in prod with the same digest, and the commit follows; the feed shows both for this image
        E2e.await("901.0.0 in prod", Duration.ofSeconds(60), () -> succeeds(() -> prod.skopeo("inspect", "--tls-verify=false",
                "--format", "{{.Digest}}", "docker://" + prod.host() + "/prod/portal:901.0.0").strip().equals(pushed.digest())));
        E2e.await("the commit of 901.0.0", Duration.ofSeconds(60), () -> succeeds(() -> git.inBare(FLEET, "show", "main:" + FILE)
                .contains("portal:901.0.0")));
        System.out.printf("console: Approve clicked → copy in prod and commit in git in %d ms%n", (System.nanoTime() - clickedAt) / 1_000_000);
        open("promotions");
        waiting(20).until(ExpectedConditions.elementToBeClickable(By.linkText("follow")));
        retrying(() -> browser.findElement(By.linkText("follow")).click());
        waiting(60).until(ExpectedConditions.textToBePresentInElementLocated(By.id("feed"), "commit-pushed"));
        String feed = browser.findElement(By.id("feed")).getText();
        assertTrue(feed.contains("tag 901.0.0 of " + qe.host() + "/portal is at " + pushed.digest().substring(0, 19)), feed);
        assertTrue(feed.contains("promotion flux-system/portal-to-prod approved by token:qe-lead: " + prod.host() + "/prod/portal:901.0.0"), feed);
        assertTrue(feed.contains(FILE + " " + prod.host() + "/prod/portal:900.0.0 → " + prod.host() + "/prod/portal:901.0.0"), feed);
        assertEquals("Following one image", browser.findElement(By.cssSelector("#page h2")).getText());
        screenshot("audit-follow-one-image");
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;"));
    }

    @Test
    @Order(3)
    void everyPageShowsTheChain() {
        open("registries");
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.id("page"), prod.host()));
        String page = browser.findElement(By.id("page")).getText();
        assertTrue(page.contains(qe.host() + " QE") && page.contains(prod.host() + " prod"), page);
        assertTrue(page.contains("flux-system/portal-qe") && page.contains("901.0.0"), page);
        screenshot("registries");

        open("policies");
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.id("page"), "flux-system/portal-prod"));
        screenshot("policies");
        retrying(() -> browser.findElement(By.cssSelector("button[aria-label='Dry run a rule for flux-system/portal-prod']")).click());
        WebElement range = waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("dr-value")));
        range.clear();
        range.sendKeys("<901.0.0");
        browser.findElement(By.cssSelector("#dry-run button[type=submit]")).click();
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.id("dry-run"), "This rule selects 900.0.0"));
        String dryRun = browser.findElement(By.id("dry-run")).getText();
        assertTrue(dryRun.contains("(now: 901.0.0)"), dryRun);
        // which file and marker in git would change, old → new, read from the fleet branch's head; nothing is committed
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.id("dry-run"), "What would change in git"));
        String headBefore = git.inBare(FLEET, "rev-parse", "main").strip();
        dryRun = browser.findElement(By.id("dry-run")).getText();
        assertTrue(dryRun.contains("flux-system/fleet main " + FILE + " flux-system:portal-prod " + prod.host() + "/prod/portal:901.0.0 "
                + prod.host() + "/prod/portal:900.0.0"), dryRun);
        assertEquals(headBefore, git.inBare(FLEET, "rev-parse", "main").strip());
        screenshot("policies-dry-run");

        open("automations");
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.id("page"), "flux-system/fleet"));
        String commit = git.inBare(FLEET, "rev-parse", "main").strip();
        assertTrue(browser.findElement(By.id("page")).getText().contains(commit.substring(0, 12)), browser.findElement(By.id("page")).getText());
        screenshot("automations");

        open("mirrors");
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.id("page"), "No mirror is configured"));

        open("audit");
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.id("feed"), "commit-pushed"));
        screenshot("audit");
        // keyboard: the navigation is reachable and operable with Tab and Enter
        WebElement registries = browser.findElement(By.cssSelector("nav a[data-page=registries]"));
        registries.sendKeys(org.openqa.selenium.Keys.ENTER);
        waiting(10).until(ExpectedConditions.attributeToBe(registries, "aria-current", "page"));
    }

    @Test
    @Order(5)
    void signInWithTheIdentityProviderGivesThePageTheUsersOwnToken() {
        browser.findElement(By.id("sign-out")).click();
        waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("oidc-login")));
        oidc.signInAs("alice", "approvers");
        browser.findElement(By.id("oidc-login")).click();
        waiting(30).until(ExpectedConditions.textToBe(By.id("me-name"), "user:alice · approver"));
        assertEquals(List.of(), oidc.problems(), "every request of the flow was as the RFCs say");
        assertTrue(!browser.getCurrentUrl().contains("token="), "the token leaves the address bar: " + browser.getCurrentUrl());
        open("promotions");
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-promotion]"), "portal:902.0.0"));
        // a sign-in that did not start in this browser is refused
        browser.get(console + "login/callback?code=stolen&state=" + "x".repeat(32));
        assertTrue(browser.getPageSource().contains("this sign-in was not started in this browser"), browser.getPageSource());
    }

    @Test
    @Order(4)
    void aViewerIsRefusedTheApprovalAndThePromotionStillWaits() {
        browser.findElement(By.id("sign-out")).click();
        waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        signIn(tokens.get("ops"));
        assertEquals("token:ops · viewer", browser.findElement(By.id("me-name")).getText());
        open("promotions");
        TestImages.push(qe, "portal", "902.0.0");
        waiting(60).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-promotion]"), "without the approver role"));
        retrying(() -> browser.findElement(By.xpath("//*[@data-promotion]//button[text()='Approve']")).click());
        waiting(20).until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "403"));
        String notice = browser.findElement(By.id("notice")).getText();
        assertTrue(notice.startsWith("Approval of flux-system/portal-to-prod " + qe.host() + "/portal:902.0.0 refused: 403: approving or"
                + " rejecting needs the approver role; token:ops has only viewer"), notice);
        screenshot("promotions-viewer-403");
        assertEquals(1, pending().size(), "the promotion still waits");
        assertEquals("902.0.0", pending().get(0).path("tag").asText());
    }
}
