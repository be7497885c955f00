// The floor page's check-in: scan the buyer's QR code with the camera where the browser has the
// BarcodeDetector API, and submit the code; elsewhere (or if the camera is refused) the typed-code
// form works alone.
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("[data-scan-form]");
    var start = document.querySelector("[data-scan-start]");
    var video = document.querySelector("[data-scan-video]");
    if (!form || !start || !video || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    document.querySelector("[data-scan-hint]").hidden = false;
    document.querySelector("[data-type-hint]").hidden = true;
    start.hidden = false;
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    var stream = null;

    function stop() {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.hidden = true;
    }

    function tick() {
      if (!stream) return;
      detector.detect(video).then(function (codes) {
        if (codes.length && codes[0].rawValue) {
          form.elements.code.value = codes[0].rawValue.trim();
          stop();
          form.submit();
        } else {
          window.requestAnimationFrame(tick);
        }
      }).catch(function () { window.setTimeout(tick, 250); });
    }

    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          return video.play();
        })
        .then(tick)
        .catch(function () {
          stop();
          document.querySelector("[data-scan-error]").hidden = false;
        });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
