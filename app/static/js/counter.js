// Scan a member code or pickup QR with the camera where the browser has BarcodeDetector.
// Typing always works; this only fills the field.
(function () {
  "use strict";
  var button = document.getElementById("scan-button");
  var video = document.getElementById("scan-video");
  var field = document.getElementById("query");
  if (!button || !video || !field || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
      var look = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) { field.value = codes[0].rawValue; stop(); field.form.submit(); }
          else { window.requestAnimationFrame(look); }
        }).catch(stop);
      };
      look();
    });
  });
})();
