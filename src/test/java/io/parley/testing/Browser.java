package io.parley.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven through the system's chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}): nothing is downloaded, Selenium Manager is never asked. Each browser
 * gets a fresh profile folder.
 */
public final class Browser implements AutoCloseable {
  /** Debian's paths; {@code -Dparley.test.chromium=…} and {@code …chromedriver=…} override them. */
  public static final Path CHROMIUM =
      Path.of(System.getProperty("parley.test.chromium", "/usr/bin/chromium"));

  public static final Path CHROMEDRIVER =
      Path.of(System.getProperty("parley.test.chromedriver", "/usr/bin/chromedriver"));
  public static final Dimension DESKTOP = new Dimension(1280, 800);
  public static final Dimension PHONE = new Dimension(390, 844);

  /** How long a step may take to show before the test gives up (a bound, not a measurement). */
  static final Duration PATIENCE = Duration.ofSeconds(40);

  private final ChromeDriver driver;
  private final String name;

  private Browser(ChromeDriver driver, String name) {
    this.driver = driver;
    this.name = name;
  }

  /** Why the browser tests cannot run here, if they cannot. */
  public static Optional<String> missing() {
    for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(p)) {
        return Optional.of(
            p + " is absent (install Debian's chromium and chromium-driver, as .ci/run does)");
      }
    }
    return Optional.empty();
  }

  /** Skips the calling tests, saying why on stdout and in the report, when Chromium is absent. */
  public static void assumeAvailable(String what) {
    Optional<String> why = missing();
    why.ifPresent(w -> System.out.println("SKIPPED " + what + ": " + w));
    Assumptions.assumeTrue(why.isEmpty(), () -> what + " skipped: " + why.orElse(""));
  }

  public static Browser start(String name, Path profiles, Dimension size) {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    Path profile;
    try {
      Files.createDirectories(profiles);
      profile = Files.createTempDirectory(profiles, name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=" + size.width + "," + size.height,
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(size);
    return new Browser(driver, name);
  }

  public ChromeDriver driver() {
    return driver;
  }

  public void open(String url) {
    driver.get(url);
  }

  public void resize(Dimension size) {
    driver.manage().window().setSize(size);
  }

  public <T> T await(String what, ExpectedCondition<T> condition) {
    try {
      return new WebDriverWait(driver, PATIENCE).withMessage(name + ": " + what).until(condition);
    } catch (RuntimeException e) {
      dumpConsole();
      throw e;
    }
  }

  public WebElement visible(String css) {
    return await(
        css + " visible",
        d -> {
          var found = d.findElements(By.cssSelector(css));
          return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
  }

  public List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  public boolean present(String css) {
    return !all(css).isEmpty();
  }

  public void click(String css) {
    visible(css).click();
  }

  public void type(String css, String text) {
    WebElement e = visible(css);
    e.clear();
    e.sendKeys(text);
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Saves a PNG of the page under {@code dir}. */
  public Path screenshot(Path dir, String file) {
    try {
      Files.createDirectories(dir);
      Path src = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Path out = dir.resolve(file + ".png");
      Files.move(src, out, StandardCopyOption.REPLACE_EXISTING);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The page's console (errors included), for the report of a failed wait. */
  public void dumpConsole() {
    try {
      for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
        System.out.println(name + " console " + e.getLevel() + ": " + e.getMessage());
      }
    } catch (RuntimeException e) {
      System.out.println(name + ": console unavailable: " + e.getMessage());
    }
  }

  /**
   * Script errors and CSP violations in the console so far; an HTTP error status the page asked for
   * (and handled) is not one.
   */
  public List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .filter(e -> !e.getMessage().contains("Failed to load resource"))
        .map(LogEntry::getMessage)
        .toList();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
