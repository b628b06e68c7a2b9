package dev.cohort.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
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
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The observer of a running counter cluster (stage distributed, three node processes) in a real
 * headless Chromium: it shows three nodes up and the node's sessions; a session killed from the
 * page (confirmation, token) is restarted by its supervisor. Saves a screenshot to
 * {@code target/screenshots/observer.png}. Skipped without Chromium unless
 * {@code COHORT_REQUIRE_BROWSER} is set ({@code .ci/run} sets it).
 */
class ObserverPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "observer-test-token";

    @Test
    void seeTheClusterAndKillASessionThatItsSupervisorRestarts() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (System.getenv("COHORT_REQUIRE_BROWSER") == null) {
            Assumptions.assumeTrue(present, "Chromium is not installed (apt-get install chromium chromium-driver, or run .ci/run)");
        }
        assertThat(present).as("chromium and chromedriver in /usr/bin").isTrue();

        try (CounterCluster c = new CounterCluster(Stage.DISTRIBUTED, 3, "--observer-port", "0", "--observer-token", TOKEN)) {
            for (String user : List.of("ana", "bob", "cy", "dee")) c.visit(0, user);
            String host = c.hostOf(0, "ana");
            int h = c.indexOf(host);
            String observer = c.nodes.get(h).awaitLine(l -> l.startsWith("OBSERVER "), CounterCluster.WAIT).substring("OBSERVER ".length());

            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                    .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,2400");
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
            WebDriver driver = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                wait.ignoring(StaleElementReferenceException.class); // the tables are re-rendered every second
                driver.get(observer);
                wait.until(d -> d.findElement(By.id("status")).getText().equals("live"));
                wait.until(d -> d.findElement(By.id("node")).getText().equals(host));
                wait.until(d -> d.findElements(By.cssSelector("#cluster td.up")).size() == 3);
                String before = wait.until(d -> pidOf(d, "session:ana"));
                // the supervisor's view counts the four sessions cluster-wide, over three alive members
                wait.until(d -> d.findElements(By.xpath("//div[@id='supervisors']/h2[contains(., 'cluster-wide 4,')]")).size() == 1);
                wait.until(d -> d.findElements(By.xpath("//div[@id='supervisors']//td/span[@class='up' and .='alive']")).size() == 3);
                // the supervision tree holds the session under the distributed supervisor's member
                wait.until(d -> d.findElement(By.id("tree")).getText().contains("session:ana"));
                // ... in the node's system tree: cohort_system, the supervisor's service, its member, the session;
                // the registry's service beside it, with its replicators and its server
                wait.until(d -> !d.findElements(By.xpath("//div[@id='tree']//li[span[.='cohort_system']]"
                        + "//li[span[.='cohort.service.supervisor.sessions']]//li[span[.='cohort.supervisor.sessions']]"
                        + "//li[contains(., 'session:ana')]")).isEmpty());
                wait.until(d -> !d.findElements(By.xpath("//div[@id='tree']//li[span[.='cohort_system']]"
                        + "//li[span[.='cohort.service.registry.counter']]//li[span[.='cohort.registry.counter']]")).isEmpty());
                // replication: both maps, each with its two neighbours; an update reached both other nodes
                wait.until(d -> d.findElements(By.cssSelector("#replication tbody tr")).size() >= 4);
                wait.until(d -> d.findElement(By.id("reach")).getText().contains("ms to 2 node(s)"));
                wait.until(d -> !d.findElements(By.cssSelector("#chart polyline")).isEmpty());
                // the search is answered by the node: only the matching process is listed
                driver.findElement(By.id("q")).sendKeys("session:ana");
                wait.until(d -> d.findElement(By.id("matched")).getText().equals("1 matching")
                        && d.findElements(By.cssSelector("#processes tbody tr")).size() == 1);
                ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).renameTo(screenshot().toFile());

                ((JavascriptExecutor) driver).executeScript("sessionStorage.setItem('cohort-token', arguments[0])", TOKEN);
                wait.until(d -> {
                    d.findElement(By.xpath("//table[@id='processes']//button[@data-pid='" + before + "']")).click();
                    return true;
                });
                wait.until(d -> {
                    d.switchTo().alert().accept(); // "Kill <pid>?"
                    return true;
                });
                wait.until(d -> d.findElement(By.id("status")).getText().equals("killed " + before));
                // its supervisor starts it again: the name comes back with another pid
                String after = wait.until(d -> {
                    String p = pidOf(d, "session:ana");
                    return p != null && !p.equals(before) ? p : null;
                });
                assertThat(after).isNotEqualTo(before);
                assertThat(c.visit(0, "ana")).isEqualTo(1); // stage distributed: a restarted session starts again
            } finally {
                driver.quit();
            }
        }
    }

    private static String pidOf(WebDriver d, String name) {
        for (WebElement row : d.findElements(By.cssSelector("#processes tbody tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            if (cells.size() > 1 && cells.get(1).getText().equals(name)) return cells.get(0).getText();
        }
        return null;
    }

    private static Path screenshot() throws java.io.IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        return dir.resolve("observer.png");
    }
}
