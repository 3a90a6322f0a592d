package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Browser;
import io.parley.testing.Http;
import io.parley.testing.TcpProxy;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web client served by the node at {@code /}, used as people would in real headless Chromium
 * browsers: several users and devices at once, QR linking, attachments, a reload and a network drop
 * (a TCP proxy between one browser and the node, cut and restored). Screenshots of the main screens
 * at desktop and phone sizes go to {@code target/screenshots/}. Skipped, with the reason printed,
 * where Chromium or chromedriver is not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebClientIT {
  static final Path SHOTS = Path.of("target", "screenshots");

  @TempDir static Path dir;
  Node node;
  Http http;
  Api api;
  TcpProxy proxy;
  String base;
  final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  void start() {
    if (Browser.missing().isPresent()) {
      // each test is then reported as skipped, with the reason (see skipWithoutChromium)
      return;
    }
    node = TestNodes.start(TestNodes.env(dir), dir);
    http = new Http();
    api = new Api(http, node.httpPort());
    proxy = new TcpProxy(node.httpPort());
    base = "http://127.0.0.1:" + node.httpPort() + "/";
  }

  @BeforeEach
  void skipWithoutChromium(TestInfo test) {
    Browser.assumeAvailable("WebClientIT." + test.getTestMethod().map(m -> m.getName()).orElse(""));
  }

  @AfterAll
  void stop() {
    browsers.forEach(Browser::close);
    if (proxy != null) {
      proxy.close();
    }
    TestNodes.stop(node);
    if (http != null) {
      http.close();
    }
  }

  private Browser browser(String name, org.openqa.selenium.Dimension size) {
    Browser b = Browser.start(name, dir.resolve("profiles"), size);
    browsers.add(b);
    return b;
  }

  private void quit(Browser b) {
    browsers.remove(b);
    b.close();
  }

  /** "+14155550123" as a person types it: "+1 (415) 555-0123". */
  private static String typed(String e164) {
    return "+1 (" + e164.substring(2, 5) + ") " + e164.substring(5, 8) + "-" + e164.substring(8);
  }

  private static void register(Browser b, String name, String phone, String password) {
    b.click("#tab-register");
    b.type("#register-name", name);
    b.type("#register-phone", typed(phone));
    b.type("#register-password", password);
    b.click("#register-submit");
    b.await("signed in as " + name, d -> name.equals(whoIsSignedIn(b)));
  }

  private static void signIn(Browser b, Account a) {
    b.visible("#signin-phone");
    b.type("#signin-phone", typed(a.phone()));
    b.type("#signin-password", a.password());
    b.click("#signin-submit");
    b.await("signed in as " + a.name(), d -> a.name().equals(whoIsSignedIn(b)));
  }

  /** The name in the app bar (hidden on a phone, so read from the DOM rather than the screen). */
  private static String whoIsSignedIn(Browser b) {
    var who = b.all("#who");
    return who.isEmpty() ? null : who.get(0).getDomProperty("textContent");
  }

  private static void openConversation(Browser b, String id) {
    b.click("a[data-conversation='" + id + "']");
    b.visible("#message-input");
  }

  private static void sendFromPage(Browser b, String text) {
    WebElement input = b.visible("#message-input");
    input.click();
    input.sendKeys(text);
    input.sendKeys(Keys.ENTER);
  }

  /** The texts on screen in the open conversation, in order, with their seq. */
  private static List<String> shown(Browser b) {
    return b.all("#message-list li.message[data-seq]").stream()
        .map(
            li ->
                li.getAttribute("data-seq")
                    + ":"
                    + li.findElements(By.cssSelector(".text")).stream()
                        .map(WebElement::getText)
                        .collect(Collectors.joining()))
        .toList();
  }

  private static String tickOf(Browser b, String text) {
    for (WebElement li : b.all("#message-list li.message.mine[data-seq]")) {
      if (li.getText().contains(text)) {
        var t = li.findElements(By.cssSelector(".ticks"));
        return t.isEmpty() ? null : t.get(0).getAttribute("data-status");
      }
    }
    return null;
  }

  private JsonObject conversationWith(Account me, Account other) {
    return api.conversation(me, "direct", null, other);
  }

  private List<JsonObject> storedMessages(Account a, String conversationId) {
    JsonArray arr =
        api.get("/api/conversations/" + conversationId + "/messages?limit=100", a.token())
            .bodyAsJsonObject()
            .getJsonArray("messages");
    List<JsonObject> out = new ArrayList<>();
    arr.forEach(o -> out.add((JsonObject) o));
    return out;
  }

  @Test
  void twoUsersChatAndSeeDeliveredAndReadTicksTypingEditsAndDeletions() {
    Browser ada = browser("ada", Browser.DESKTOP);
    Browser bob = browser("bob", Browser.DESKTOP);
    String adaPhone = Api.newPhone();
    String bobPhone = Api.newPhone();

    ada.open(base);
    ada.visible("#signin-phone");
    ada.screenshot(SHOTS, "sign-in-desktop");
    ada.resize(Browser.PHONE);
    ada.screenshot(SHOTS, "sign-in-phone");
    ada.resize(Browser.DESKTOP);
    // the server's error codes in words: a number that cannot be a phone
    ada.click("#tab-register");
    ada.type("#register-name", "Ada");
    ada.type("#register-phone", "12");
    ada.type("#register-password", "correct horse battery staple");
    ada.click("#register-submit");
    assertThat(ada.visible("#form-error").getText()).contains("does not look like a phone number");
    ada.type("#register-phone", typed(adaPhone));
    ada.click("#register-submit");
    ada.await("Ada signed in", d -> "Ada".equals(whoIsSignedIn(ada)));

    bob.open(base);
    register(bob, "Bob", bobPhone, "another long passphrase");

    // Ada starts a direct conversation by Bob's phone number and writes
    ada.click("#new-conversation");
    ada.type("#member-phone-0", typed(bobPhone));
    ada.click("#new-submit");
    ada.visible("#message-input");
    assertThat(ada.visible("#conversation-title").getText()).isEqualTo("Bob");
    sendFromPage(ada, "Hello Bob");

    // Bob's list shows it unread; his page acknowledges delivery, and Ada sees two ticks
    WebElement badge = bob.visible("#conversation-list .badge");
    assertThat(badge.getText()).isEqualTo("1");
    assertThat(bob.visible("#conversation-list .preview").getText()).isEqualTo("Hello Bob");
    ada.await("delivered tick", d -> "delivered".equals(tickOf(ada, "Hello Bob")));

    // Bob opens it: read by him, and Ada's tick turns to read
    bob.click("#conversation-list a.conversation");
    bob.await("Ada's message", d -> shown(bob).contains("1:Hello Bob"));
    ada.await("read tick", d -> "read".equals(tickOf(ada, "Hello Bob")));
    assertThat(bob.all("#conversation-list .badge")).isEmpty();

    // typing shows on the other side, then the reply arrives live
    WebElement input = bob.visible("#message-input");
    input.click();
    input.sendKeys("Hi Ada");
    ada.await(
        "typing indicator", d -> d.findElement(By.id("typing")).getText().contains("is typing"));
    input.sendKeys(Keys.ENTER);
    ada.await("Bob's reply", d -> shown(ada).equals(List.of("1:Hello Bob", "2:Hi Ada")));
    bob.await("read tick on Bob's side", d -> "read".equals(tickOf(bob, "Hi Ada")));

    ada.screenshot(SHOTS, "conversation-desktop");
    // dark mode follows the system's setting
    String light = (String) ada.js("return getComputedStyle(document.body).backgroundColor");
    ada.driver()
        .executeCdpCommand(
            "Emulation.setEmulatedMedia",
            Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    String dark = (String) ada.js("return getComputedStyle(document.body).backgroundColor");
    assertThat(light).isEqualTo("rgb(244, 246, 245)");
    assertThat(dark).isEqualTo("rgb(15, 21, 19)");
    ada.screenshot(SHOTS, "conversation-dark-desktop");
    ada.driver()
        .executeCdpCommand(
            "Emulation.setEmulatedMedia",
            Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "light"))));
    ada.click("#nav-devices");
    ada.visible("#device-list");
    ada.click("#conversation-list a.conversation");
    ada.visible("#message-list li[data-seq='2']");
    ada.resize(Browser.PHONE);
    ada.screenshot(SHOTS, "conversation-phone");
    ada.click("a.back");
    ada.visible("#conversation-list");
    ada.screenshot(SHOTS, "conversations-phone");
    ada.resize(Browser.DESKTOP);
    ada.click("#conversation-list a.conversation");
    ada.visible("#message-list");

    // Ada edits her message: Bob sees the new text, marked edited
    WebElement mine = ada.visible("#message-list li.message.mine[data-seq='1']");
    new org.openqa.selenium.interactions.Actions(ada.driver()).moveToElement(mine).perform();
    mine.findElement(By.xpath(".//button[text()='Edit']")).click();
    WebElement edit = ada.visible("#message-list li[data-seq='1'] form.edit input");
    edit.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Hello Bob, edited");
    edit.sendKeys(Keys.ENTER);
    bob.await("edited text", d -> shown(bob).contains("1:Hello Bob, edited"));
    assertThat(bob.visible("#message-list li[data-seq='1'] .edited").getText()).isEqualTo("edited");

    // and deletes it for everyone
    mine = ada.visible("#message-list li.message.mine[data-seq='1']");
    new org.openqa.selenium.interactions.Actions(ada.driver()).moveToElement(mine).perform();
    mine.findElement(By.xpath(".//button[text()='Delete']")).click();
    ada.visible("#message-list li[data-seq='1'] button.danger").click();
    bob.await(
        "deletion",
        d -> shown(bob).contains("1:This message was deleted") && shown(bob).contains("2:Hi Ada"));

    // archive moves it off Bob's list of chats into the archived one; unarchive brings it back
    bob.click("#archive-toggle");
    bob.await(
        "archived",
        d ->
            d.findElement(By.id("archive-toggle")).getText().equals("Unarchive")
                && d.findElement(By.id("list-title")).getText().equals("Archived"));
    bob.click("#show-chats");
    bob.await(
        "no chats left", d -> d.findElements(By.cssSelector("#conversation-list li")).isEmpty());
    bob.click("#show-archived");
    bob.click("#conversation-list a.conversation");
    bob.click("#archive-toggle");
    bob.await(
        "unarchived",
        d ->
            d.findElement(By.id("archive-toggle")).getText().equals("Archive")
                && d.findElement(By.id("list-title")).getText().equals("Chats")
                && d.findElements(By.cssSelector("#conversation-list a.conversation")).size() == 1);

    assertThat(ada.consoleErrors()).isEmpty();
    assertThat(bob.consoleErrors()).isEmpty();
    quit(ada);
    quit(bob);
  }

  @Test
  void aBrowserLinkedByQrFromASignedInOneIsUnlinkedFromTheDevicesPage() {
    Account ada = api.register("Ada");
    Browser phone = browser("phone", Browser.DESKTOP);
    Browser linked = browser("linked", Browser.DESKTOP);
    phone.open(base);
    signIn(phone, ada);

    linked.open(base);
    linked.click("#tab-link");
    WebElement qr = linked.visible("#qr-image");
    linked.await(
        "the QR image drawn from a blob",
        d ->
            Boolean.TRUE.equals(
                linked.js(
                    "const i = arguments[0]; return i.complete && i.naturalWidth > 0"
                        + " && i.src.startsWith('blob:')",
                    qr)));
    String code = linked.driver().findElement(By.id("qr-text")).getDomProperty("value");
    assertThat(code).startsWith("parley:link:");
    linked.screenshot(SHOTS, "link-this-browser-desktop");
    linked.resize(Browser.PHONE);
    linked.screenshot(SHOTS, "link-this-browser-phone");
    linked.resize(Browser.DESKTOP);

    // the signed-in browser checks the code, sees who asks, approves
    phone.click("#nav-link");
    phone.type("#link-code", code);
    phone.click("#check-link");
    assertThat(phone.visible("#request-agent").getText()).contains("Chrom");
    phone.screenshot(SHOTS, "link-a-device-desktop");
    linked.await(
        "scanned",
        d -> d.findElement(By.id("link-status")).getText().contains("Approve on your phone"));
    phone.type("#link-device-name", "Test laptop");
    phone.click("#approve-link");
    phone.visible("#link-done");
    linked.await("linked browser signed in", d -> "Ada".equals(whoIsSignedIn(linked)));

    // devices: the account's first session (API), this browser and the linked one; unlink that
    // one, and its page returns to sign-in
    phone.click("#nav-devices");
    phone.await(
        "three devices", d -> d.findElements(By.cssSelector("#device-list li")).size() == 3);
    phone.screenshot(SHOTS, "devices-desktop");
    phone.resize(Browser.PHONE);
    phone.screenshot(SHOTS, "devices-phone");
    phone.resize(Browser.DESKTOP);
    assertThat(phone.all("#device-list li .current-badge")).hasSize(1);
    List<WebElement> laptop =
        phone.all("#device-list li").stream()
            .filter(li -> li.getText().contains("Test laptop"))
            .toList();
    assertThat(laptop).hasSize(1);
    laptop.get(0).findElement(By.cssSelector("button.danger")).click();
    phone.await(
        "two devices left", d -> d.findElements(By.cssSelector("#device-list li")).size() == 2);
    assertThat(phone.visible("#device-list").getText()).doesNotContain("Test laptop");
    linked.await("back to sign-in", d -> !d.findElements(By.id("signin-phone")).isEmpty());
    assertThat(linked.visible("#signed-out-notice").getText()).contains("unlinked");
    assertThat(linked.js("return sessionStorage.length")).isEqualTo(0L);

    // signing out everywhere signs the first browser out too
    phone.click("#sign-out-everywhere");
    phone.visible("#signin-phone");
    assertThat(api.get("/api/users/me", ada.token()).statusCode()).isEqualTo(401);
    assertThat(phone.consoleErrors()).isEmpty();
    quit(phone);
    quit(linked);
  }

  @Test
  void aReloadAndANetworkDropResumeWithoutLosingOrRepeatingAMessage() {
    Account ada = api.register("Ada");
    Account bob = api.register("Bob");
    String cid = conversationWith(ada, bob).getString("id");
    api.send(ada, cid, "m1");

    // Bob's browser reaches the node only through the proxy
    Browser b = browser("bob-proxied", Browser.DESKTOP);
    b.open("http://127.0.0.1:" + proxy.port() + "/");
    signIn(b, bob);
    openConversation(b, cid);
    b.await("m1", d -> shown(b).equals(List.of("1:m1")));
    // the API names members by id only: Bob names the unknown member by phone number
    assertThat(b.visible("#conversation-title").getText()).isEqualTo("Unknown contact");
    b.type("#contact-phone", typed(ada.phone()));
    b.click("form.name-contact button");
    b.await("named", d -> d.findElement(By.id("conversation-title")).getText().equals("Ada"));
    api.send(ada, cid, "m2");
    b.await("m2 live", d -> shown(b).equals(List.of("1:m1", "2:m2")));

    // a reload keeps the session (this tab only) and the conversation, with nothing twice
    b.driver().navigate().refresh();
    b.await("after reload", d -> shown(b).equals(List.of("1:m1", "2:m2")));
    assertThat(b.visible("#conversation-title").getText()).isEqualTo("Ada");
    api.send(ada, cid, "m3");
    b.await("m3 after reload", d -> shown(b).equals(List.of("1:m1", "2:m2", "3:m3")));

    // the network drops: the banner says so; messages sent meanwhile arrive once it is back
    proxy.stop();
    b.visible("#reconnecting");
    b.screenshot(SHOTS, "reconnecting-desktop");
    api.send(ada, cid, "m4");
    api.send(ada, cid, "m5");
    sendFromPage(b, "written offline");
    b.visible("li.pending [data-status='waiting']");
    proxy.start();
    b.await("banner gone", d -> d.findElements(By.id("reconnecting")).isEmpty());
    b.await(
        "every message once, in order",
        d -> shown(b).equals(List.of("1:m1", "2:m2", "3:m3", "4:m4", "5:m5", "6:written offline")));
    assertThat(b.all("li.pending")).isEmpty();
    List<String> stored =
        storedMessages(ada, cid).stream()
            .map(m -> m.getLong("seq") + ":" + m.getString("text"))
            .toList();
    assertThat(stored).containsExactly("1:m1", "2:m2", "3:m3", "4:m4", "5:m5", "6:written offline");
    // and live again after the drop
    api.send(ada, cid, "m7");
    b.await("m7", d -> shown(b).size() == 7 && shown(b).get(6).equals("7:m7"));
    quit(b);
  }

  @Test
  void anImageAttachmentUploadsWithProgressAndPreviewsForBothSides() throws Exception {
    Account ada = api.register("Ada");
    Account bob = api.register("Bob");
    String cid = conversationWith(ada, bob).getString("id");
    Path png = dir.resolve("sunrise.png");
    BufferedImage img = new BufferedImage(320, 200, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(0xF4A340));
    g.fillRect(0, 0, 320, 200);
    g.setColor(new Color(0x0B7A5A));
    g.fillOval(110, 50, 100, 100);
    g.dispose();
    ImageIO.write(img, "png", png.toFile());

    Browser a = browser("ada-attach", Browser.DESKTOP);
    a.open(base);
    signIn(a, ada);
    openConversation(a, cid);
    a.driver().findElement(By.id("attach-file")).sendKeys(png.toAbsolutePath().toString());
    a.visible(".draft [data-ready='true']");
    a.click("#send");
    WebElement preview = a.visible("#message-list li.mine img.preview-image");
    a.await(
        "the image preview drawn",
        d ->
            Boolean.TRUE.equals(
                a.js(
                    "const i = arguments[0]; return i.complete && i.naturalWidth === 320"
                        + " && i.src.startsWith('blob:')",
                    preview)));
    a.screenshot(SHOTS, "attachment-desktop");

    JsonObject sent = storedMessages(bob, cid).get(0);
    JsonObject att = sent.getJsonArray("attachments").getJsonObject(0);
    assertThat(att.getString("filename")).isEqualTo("sunrise.png");
    assertThat(att.getString("contentType")).isEqualTo("image/png");
    assertThat(att.getLong("size")).isEqualTo(Files.size(png));

    Browser b = browser("bob-attach", Browser.PHONE);
    b.open(base);
    signIn(b, bob);
    openConversation(b, cid);
    WebElement theirs = b.visible("#message-list li.theirs img.preview-image");
    b.await(
        "Bob's preview",
        d ->
            Boolean.TRUE.equals(
                b.js("return arguments[0].complete && arguments[0].naturalWidth === 320", theirs)));
    b.screenshot(SHOTS, "attachment-phone");
    assertThat(a.consoleErrors()).isEmpty();
    quit(a);
    quit(b);
  }
}
