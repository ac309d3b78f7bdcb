import type { ComponentProps } from "react";
import { Icon, type IconName } from "@/components/ui/icon";
import { cn } from "@/lib/cn";

const VARIANTS = { default: "", primary: "btn-primary", ghost: "btn-ghost", danger: "btn-danger" } as const;

type ButtonProps = ComponentProps<"button"> & { variant?: keyof typeof VARIANTS; size?: "sm" | "md" };

export function Button({ variant = "default", size = "md", className, type = "button", ...props }: ButtonProps) {
  return <button type={type} className={cn("btn", VARIANTS[variant], size === "sm" && "btn-sm", className)} {...props} />;
}

/** An icon-only button: the label is required and becomes its accessible name and tooltip. */
export function IconButton({ icon, label, size = "md", variant = "ghost", className, ...props }: Omit<ButtonProps, "children"> & { icon: IconName; label: string }) {
  return (
    <Button variant={variant} size={size} aria-label={label} title={label} className={cn("btn-icon", className)} {...props}>
      <Icon name={icon} size={size === "sm" ? 14 : 16} />
    </Button>
  );
}
