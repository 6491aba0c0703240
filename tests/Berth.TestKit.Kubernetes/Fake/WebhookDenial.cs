namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// A validating admission webhook's refusal, as its AdmissionReview response's <c>status</c> says it (controller-runtime's
/// <c>admission.Denied</c> gives code 403 and reason Forbidden). The API server turns it into the Status the client gets
/// (k8s.io/apiserver/pkg/admission/plugin/webhook/errors.ToStatusErr): the same code (at least 400) and reason, and the
/// message <c>admission webhook "&lt;name&gt;" denied the request: &lt;message&gt;</c>.
/// </summary>
public sealed record WebhookDenial(string WebhookName, string Message, int Code = 403, string Reason = "Forbidden");
