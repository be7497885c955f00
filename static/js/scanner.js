// The floor page's check-in: scan the buyer's QR code with the camera and submit the code.
// Where the browser has the BarcodeDetector API with QR codes (Android Chrome, macOS), it reads the
// video; elsewhere (iPhone Safari, desktop Linux and Windows browsers) the vendored jsQR decoder
// (static/vendor/jsqr, loaded only then) reads frames drawn onto a canvas. Without a camera, or if
// it is refused, the typed-code form works alone. No inline script: the page's CSP forbids it.
(function () {
  "use strict";

  var FRAME_GAP_MS = 120; // time between two jsQR attempts: leaves the phone's CPU some breath
  var MAX_SIDE = 720; // frames are scaled down to this before decoding (enough for a phone's QR)

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    var formats = window.BarcodeDetector.getSupportedFormats
      ? window.BarcodeDetector.getSupportedFormats()
      : Promise.resolve(["qr_code"]);
    return formats.then(function (list) {
      if (list.indexOf("qr_code") < 0) return null;
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function (video) {
        return detector.detect(video).then(function (codes) {
          return codes.length && codes[0].rawValue ? codes[0].rawValue : null;
        });
      };
    }).catch(function () { return null; });
  }

  function loadJsQR(src) {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { return window.jsQR ? resolve(window.jsQR) : reject(new Error("jsQR")); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function canvasDetector(src) {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    return loadJsQR(src).then(function (jsQR) {
      return function (video) {
        var width = video.videoWidth, height = video.videoHeight;
        if (!width || !height) return Promise.resolve(null);
        var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(code && code.data ? code.data : null);
      };
    });
  }

  function init() {
    var form = document.querySelector("[data-scan-form]");
    var start = document.querySelector("[data-scan-start]");
    var video = document.querySelector("[data-scan-video]");
    var canDecode = "BarcodeDetector" in window || (window.HTMLCanvasElement && window.Promise);
    if (!form || !start || !video || !canDecode || !navigator.mediaDevices
        || !navigator.mediaDevices.getUserMedia) return;
    document.querySelector("[data-scan-hint]").hidden = false;
    document.querySelector("[data-type-hint]").hidden = true;
    start.hidden = false;
    var stream = null;
    var detect = null;

    function stop() {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.hidden = true;
      start.disabled = false;
    }

    function failed() {
      stop();
      document.querySelector("[data-scan-error]").hidden = false;
    }

    function tick() {
      if (!stream) return;
      detect(video).then(function (text) {
        if (text && text.trim()) {
          form.elements.code.value = text.trim();
          stop();
          form.submit();
        } else {
          window.setTimeout(tick, FRAME_GAP_MS);
        }
      }).catch(function () { window.setTimeout(tick, 250); });
    }

    function decoder() {
      if (detect) return Promise.resolve(detect);
      return nativeDetector().then(function (found) {
        return found || canvasDetector(start.getAttribute("data-jsqr-src"));
      }).then(function (found) {
        detect = found;
        return found;
      });
    }

    start.addEventListener("click", function () {
      start.disabled = true;
      document.querySelector("[data-scan-error]").hidden = true;
      decoder()
        .then(function () {
          return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
        })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          return video.play();
        })
        .then(tick)
        .catch(failed);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
