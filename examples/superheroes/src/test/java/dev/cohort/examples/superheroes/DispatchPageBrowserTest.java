package dev.cohort.examples.superheroes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dispatch page in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}), against the four nodes as OS processes. Saves a screenshot to
 * {@code target/screenshots/superheroes.png}.
 *
 * <p>Without Chromium the test is skipped with a message, unless {@code COHORT_REQUIRE_BROWSER}
 * is set ({@code .ci/run} sets it after installing Chromium), in which case it fails.
 */
class DispatchPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void createAssignTerminateAndDestroyACityFromThePage() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (System.getenv("COHORT_REQUIRE_BROWSER") == null) {
            Assumptions.assumeTrue(present, "Chromium is not installed (apt-get install chromium chromium-driver, or run .ci/run)");
        }
        assertThat(present).as("chromium and chromedriver in /usr/bin").isTrue();

        try (SuperheroCluster c = new SuperheroCluster(400, 600)) {
            for (String city : Cities.NAMES) c.startCity(city);
            c.startDispatch();
            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                    .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900");
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
            WebDriver driver = new ChromeDriver(service, options);
            try {
                // the page re-renders its table on every push: an element found a moment ago may be gone
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                wait.ignoring(StaleElementReferenceException.class);
                driver.get(c.url());
                assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Dispatches");
                wait.until(d -> d.findElement(By.id("conn")).getText().equals("live"));
                wait.until(d -> d.findElements(By.cssSelector(".city.up")).size() == 3);

                for (int i = 0; i < 3; i++) {
                    int before = rows(driver).size();
                    driver.findElement(By.id("create")).click();
                    wait.until(d -> rows(d).size() == before + 1);
                }
                List<String> headings = driver.findElements(By.cssSelector("thead th")).stream().map(WebElement::getText).toList();
                assertThat(headings).startsWith("Name", "Patrolling", "Location", "Health", "Assign");

                // assign the first hero to gotham: it starts patrolling there and its health falls in fights
                String hero = wait.until(d -> rows(d).getFirst().getAttribute("data-id"));
                wait.until(d -> {
                    new Select(row(d, hero).findElement(By.cssSelector("select.assign"))).selectByValue("gotham");
                    return true;
                });
                wait.until(d -> cell(d, hero, "location").equals("gotham"));
                wait.until(d -> gone(d, hero) || cell(d, hero, "patrolling").equals("Patrolling"));
                wait.until(d -> gone(d, hero) || Integer.parseInt(cell(d, hero, "health")) < 100);

                // terminate another
                String other = wait.until(d -> rows(d).stream().map(r -> r.getAttribute("data-id")).filter(id -> !id.equals(hero)).findFirst().orElse(null));
                wait.until(d -> {
                    row(d, other).findElement(By.cssSelector("button.terminate")).click();
                    return true;
                });
                wait.until(d -> gone(d, other));

                // destroy a city: the flash names it, its status strip changes, the table survives
                int heroesBefore = wait.until(d -> rows(d).size());
                driver.findElement(By.id("bomb")).click();
                wait.until(d -> d.findElement(By.id("flash")).getText().endsWith(" has been destroyed"));
                String city = wait.until(d -> d.findElement(By.id("flash")).getText()).replace(" has been destroyed", "");
                assertThat(Cities.NAMES).contains(city);
                wait.until(d -> d.findElements(By.cssSelector(".city[data-city='" + city + "']")).stream()
                        .anyMatch(e -> Integer.parseInt(e.getAttribute("data-restarts")) >= 1));
                int heroesAfter = wait.until(d -> rows(d).size());
                assertThat(heroesAfter).isBetween(heroesBefore - 1, heroesBefore); // a fight may take the patrolling hero

                Path shots = Path.of("target", "screenshots");
                Files.createDirectories(shots);
                File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
                Files.copy(shot.toPath(), shots.resolve("superheroes.png"), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                driver.quit();
            }
        }
    }

    private static List<WebElement> rows(WebDriver d) {
        return d.findElements(By.cssSelector("#heroes tr"));
    }

    private static WebElement row(WebDriver d, String id) {
        return d.findElement(By.cssSelector("#heroes tr[data-id='" + id + "']"));
    }

    private static boolean gone(WebDriver d, String id) {
        return d.findElements(By.cssSelector("#heroes tr[data-id='" + id + "']")).isEmpty();
    }

    private static String cell(WebDriver d, String id, String cls) {
        List<WebElement> r = d.findElements(By.cssSelector("#heroes tr[data-id='" + id + "'] td." + cls));
        return r.isEmpty() ? "" : r.getFirst().getText();
    }
}
